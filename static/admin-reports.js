// The admin page "Reports": charts of the intervals' table, drawn with uPlot (served by
// the bridge from npm). The tables stay the page's content; without JavaScript they are
// all there is. The numbers come from the page itself (#report-intervals-data).
const box = document.querySelector("[data-uplot]");
const points = JSON.parse(document.getElementById("report-intervals-data")?.textContent ?? "[]");
const agents = JSON.parse(document.getElementById("report-agents-data")?.textContent ?? "[]");

// The time axis in the tenant's time zone, as the tables.
function size(element, uPlot) {
  const zone = box.dataset.timeZone;
  return {
    width: Math.max(element.clientWidth, 300),
    height: 220,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), zone),
  };
}

async function draw() {
  if (!box || points.length === 0) return;
  const { default: uPlot } = await import(box.dataset.uplot);
  const times = points.map((p) => p.t);
  const bars = uPlot.paths.bars({ size: [0.7, 40] });
  const calls = box.querySelector('[data-chart="calls"]');
  // Stacked: the abandoned bar stands on the answered one (drawn over it).
  new uPlot(
    {
      ...size(calls, uPlot),
      series: [
        {},
        {
          label: "Abandoned",
          fill: "#d9534f",
          stroke: "#b52b27",
          paths: bars,
          points: { show: false },
          value: (u, v, s, i) => (i == null ? "--" : points[i].abandoned), // not the stack's top
        },
        { label: "Answered", fill: "#5cb85c", stroke: "#3d8b3d", paths: bars, points: { show: false } },
      ],
      axes: [{}, { label: "calls" }],
    },
    [times, points.map((p) => p.answered + p.abandoned), points.map((p) => p.answered)],
    calls,
  );
  const service = box.querySelector('[data-chart="service"]');
  new uPlot(
    {
      ...size(service, uPlot),
      series: [
        {},
        { label: "Service level %", stroke: "#1f5fbf", width: 2, scale: "%", spanGaps: false },
        { label: "ASA s", stroke: "#e08e0b", width: 2, scale: "s", spanGaps: false },
      ],
      scales: { "%": { range: [0, 100] } },
      axes: [{}, { scale: "%", label: "%" }, { scale: "s", side: 1, label: "s", grid: { show: false } }],
    },
    [times, points.map((p) => p.service_level), points.map((p) => p.asa)],
    service,
  );
  drawAgents(uPlot);
  box.dataset.drawn = "true";
}

// Per agent (one bar pair each, named on the axis): average handle time and occupancy.
function drawAgents(uPlot) {
  const element = document.querySelector('[data-chart="agents"]');
  if (!element || agents.length === 0) return;
  const at = agents.map((_, i) => i);
  const bars = (offset) => uPlot.paths.bars({ size: [0.35, 40], align: offset });
  new uPlot(
    {
      width: Math.max(element.clientWidth, 300),
      height: 220,
      scales: { x: { time: false, range: [-0.6, agents.length - 0.4] }, "%": { range: [0, 100] } },
      series: [
        { label: "Agent", value: (u, v) => (v == null ? "--" : (agents[Math.round(v)]?.agent ?? "")) },
        { label: "AHT s", fill: "#e08e0b", stroke: "#b06e00", scale: "s", paths: bars(-1), points: { show: false } },
        { label: "Occupancy %", fill: "#1f5fbf", stroke: "#174a94", scale: "%", paths: bars(1), points: { show: false } },
      ],
      axes: [
        { splits: () => at, values: (u, splits) => splits.map((i) => agents[i]?.agent ?? "") },
        { scale: "s", label: "s" },
        { scale: "%", side: 1, label: "%", grid: { show: false } },
      ],
    },
    [at, agents.map((a) => a.aht), agents.map((a) => a.occupancy)],
    element,
  );
}

draw();
