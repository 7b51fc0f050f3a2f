// The admin jobs page: progress of the jobs still running, updated every second from
// /admin/api/jobs, without reloading. The server formats every text (`texts`).
"use strict";
(() => {
  const EVERY_MS = 1000;
  const running = (state) => state === "queued" || state === "running";

  function show(job) {
    const row = document.getElementById(`job-${job.id}`);
    if (!row) return;
    row.dataset.state = job.state;
    const bar = row.querySelector("progress");
    bar.max = job.counts.total;
    bar.value = job.done;
    for (const [field, text] of Object.entries(job.texts)) {
      const cell = row.querySelector(`[data-field="${field}"]`);
      if (cell) cell.textContent = text;
    }
    row.querySelector('form[data-when="active"]').hidden = !job.active;
    row.querySelector('form[data-when="retryable"]').hidden = !job.retryable;
  }

  async function poll() {
    const ids = [...document.querySelectorAll("tr[data-job-id]")]
      .filter((row) => running(row.dataset.state))
      .map((row) => row.dataset.jobId);
    if (ids.length === 0) return;
    try {
      const response = await fetch(`/admin/api/jobs?ids=${ids.join(",")}`);
      if (response.ok) (await response.json()).forEach(show);
    } finally {
      setTimeout(poll, EVERY_MS);
    }
  }

  setTimeout(poll, EVERY_MS);
})();
