// Tributary dashboard: draws charts and handles drag-and-drop uploads. No inline scripts anywhere
// (the CSP allows scripts from this server only); htmx does the live parts.

function drawCharts(root) {
  if (typeof Chart === 'undefined') return;
  for (const canvas of root.querySelectorAll('canvas[data-chart]')) {
    if (canvas.dataset.drawn) continue;
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) continue;
    canvas.dataset.drawn = 'true';
    // Chart is the global of chart.umd.min.js.
    new Chart(canvas, JSON.parse(source.textContent));
  }
}

function setUpDropzones(root) {
  for (const zone of root.querySelectorAll('[data-dropzone]')) {
    if (zone.dataset.ready) continue;
    zone.dataset.ready = 'true';
    const input = zone.querySelector('input[type="file"]');
    const status = zone.querySelector('[data-upload-status]');
    const upload = async (files) => {
      const prefix = zone.dataset.prefix || '';
      let done = 0;
      const failures = [];
      for (const file of files) {
        const key = prefix + file.name;
        status.textContent = `Uploading ${key}…`;
        const response = await fetch(
          `/ui/buckets/${encodeURIComponent(zone.dataset.bucket)}/upload?key=${encodeURIComponent(key)}`,
          {
            method: 'POST',
            headers: { 'content-type': file.type || 'application/octet-stream' },
            body: file,
            credentials: 'same-origin',
          },
        );
        if (response.ok) done += 1;
        else failures.push(`${key}: ${await response.text()}`);
      }
      status.textContent =
        `Uploaded ${done} of ${files.length} file${files.length === 1 ? '' : 's'}.` +
        (failures.length ? ` Failed: ${failures.join('; ')}` : '');
      status.dataset.done = 'true';
      if (done > 0) document.dispatchEvent(new CustomEvent('tributary:uploaded'));
    };
    zone.addEventListener('dragover', (event) => {
      event.preventDefault();
      zone.classList.add('dragging');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
    zone.addEventListener('drop', (event) => {
      event.preventDefault();
      zone.classList.remove('dragging');
      if (event.dataTransfer?.files.length) upload([...event.dataTransfer.files]);
    });
    input?.addEventListener('change', () => {
      if (input.files?.length) upload([...input.files]);
      input.value = '';
    });
  }
}

function setUp(root) {
  drawCharts(root);
  setUpDropzones(root);
}

document.addEventListener('DOMContentLoaded', () => setUp(document));
document.addEventListener('htmx:afterSettle', (event) => setUp(event.target));
