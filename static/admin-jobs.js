// The admin jobs page: progress of the jobs still running, updated every second from
// /admin/api/jobs, without reloading. The server formats every text (`texts`); between
// two answers the bar of a running job moves on at its measured rate (rows/s), so that
// progress made in batches does not jump; the numbers shown are always the server's.
"use strict";
(() => {
  const EVERY_MS = 1000;
  const STEP_MS = 100;
  const running = (state) => state === "queued" || state === "running";
  const known = new Map(); // job id → {done, total, rate, at, active}

  function show(job) {
    const row = document.getElementById(`job-${job.id}`);
    if (!row) return;
    row.dataset.state = job.state;
    const bar = row.querySelector("progress");
    bar.max = job.counts.total;
    bar.value = job.active ? Math.max(job.done, Number(bar.value)) : job.done;
    known.set(String(job.id), {
      done: job.done,
      total: job.counts.total,
      rate: job.rate,
      at: performance.now(),
      active: job.active,
    });
    for (const [field, text] of Object.entries(job.texts)) {
      const cell = row.querySelector(`[data-field="${field}"]`);
      if (cell) cell.textContent = text;
    }
    row.querySelector('[data-field="state"]').className = job.outcome_class;
    row.querySelector('[data-field="reasons"]').hidden = !job.texts.reasons;
    row.querySelector('form[data-when="active"]').hidden = !job.active;
    row.querySelector('form[data-when="retryable"]').hidden = !job.retryable;
  }

  function glide() {
    const now = performance.now();
    for (const [id, job] of known) {
      if (!job.active || job.rate <= 0) continue;
      const bar = document.querySelector(`#job-${id} progress`);
      const guess = job.done + (job.rate * (now - job.at)) / 1000;
      // Never past the rows the next batches hold: at most two seconds ahead.
      const ahead = Math.min(job.total, guess, job.done + job.rate * 2);
      if (bar && ahead > Number(bar.value)) bar.value = ahead;
    }
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
  setInterval(glide, STEP_MS);
})();
