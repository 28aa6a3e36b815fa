// The viewer's only script: keyboard shortcuts, funnel charts (Chart.js) and the lineage graph (dagre layout,
// drawn as SVG). Record text is only ever set with textContent, never parsed as HTML.
(function () {
  'use strict';

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  document.addEventListener('keydown', function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey || (t && /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName))) return;
    if (e.key === '/') {
      var search = document.getElementById('search');
      if (search) { e.preventDefault(); search.focus(); }
    } else if (e.key === 'n' || e.key === 'p') {
      var link = document.getElementById(e.key === 'n' ? 'next-page' : 'prev-page');
      if (link) link.click();
    }
  });

  if (window.Chart) {
    document.querySelectorAll('canvas[id]').forEach(function (canvas) {
      var d = data(canvas.id + '-data');
      if (!d) return;
      var colors = ['#3b6ea5', '#d9822b'];
      var series = d.series || [{ label: 'records', values: d.values }];
      new window.Chart(canvas, {
        type: 'bar',
        data: { labels: d.labels, datasets: series.map(function (x, i) { return { label: x.label, data: x.values, backgroundColor: colors[i % colors.length] }; }) },
        options: { indexAxis: 'y', animation: false, responsive: true, maintainAspectRatio: false, scales: { x: { max: d.max || undefined } }, plugins: { legend: { display: series.length > 1 } } },
      });
    });
  }

  var host = document.getElementById('lineage-graph');
  var graph = data('lineage-data');
  if (host && graph && window.dagre) drawLineage(host, graph);

  function drawLineage(host, graph) {
    var NS = 'http://www.w3.org/2000/svg';
    var g = new window.dagre.graphlib.Graph();
    g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 48, marginx: 12, marginy: 12 });
    g.setDefaultEdgeLabel(function () { return {}; });
    graph.nodes.forEach(function (n) {
      var width = Math.max(n.id.length, (n.table || '?').length + 6) * 7 + 24;
      g.setNode(n.id, { width: Math.min(width, 260), height: 44, node: n });
    });
    graph.edges.forEach(function (e) { g.setEdge(e[0], e[1]); });
    window.dagre.layout(g);
    var size = g.graph();
    var svg = document.createElementNS(NS, 'svg');
    // fit the container's width when the graph is wider, down to a scale that keeps the labels legible
    var scale = Math.max(0.5, Math.min(1, (host.clientWidth || size.width) / size.width));
    svg.setAttribute('width', size.width * scale);
    svg.setAttribute('height', size.height * scale);
    svg.setAttribute('viewBox', '0 0 ' + size.width + ' ' + size.height);
    svg.setAttribute('aria-hidden', 'false');
    var defs = document.createElementNS(NS, 'defs');
    var marker = document.createElementNS(NS, 'marker');
    marker.setAttribute('id', 'arrow'); marker.setAttribute('viewBox', '0 0 10 10'); marker.setAttribute('refX', '10'); marker.setAttribute('refY', '5');
    marker.setAttribute('markerWidth', '8'); marker.setAttribute('markerHeight', '8'); marker.setAttribute('orient', 'auto');
    var tip = document.createElementNS(NS, 'path'); tip.setAttribute('d', 'M0,0 L10,5 L0,10 z'); tip.setAttribute('class', 'arrow');
    marker.appendChild(tip); defs.appendChild(marker); svg.appendChild(defs);
    g.edges().forEach(function (e) {
      var pts = g.edge(e).points;
      var path = document.createElementNS(NS, 'path');
      path.setAttribute('d', pts.map(function (p, i) { return (i ? 'L' : 'M') + p.x + ',' + p.y; }).join(' '));
      path.setAttribute('class', 'edge');
      path.setAttribute('marker-end', 'url(#arrow)');
      svg.appendChild(path);
    });
    g.nodes().forEach(function (id) {
      var box = g.node(id);
      var n = box.node;
      var a = document.createElementNS(NS, 'a');
      // a collapsed box ("4 tool_calls") points at the table of records below the graph
      a.setAttribute('href', n.count > 1 ? '#lineage-records' : '/records/' + encodeURIComponent(id));
      a.setAttribute('class', 'node' + (n.id === graph.focus ? ' focus' : '') + (n.source ? ' source' : '') + (n.table ? '' : ' missing'));
      var title = document.createElementNS(NS, 'title');
      title.textContent = id + ' (' + (n.table || 'not in the store') + ')' + (n.label ? ': ' + n.label : '');
      a.appendChild(title);
      var rect = document.createElementNS(NS, 'rect');
      rect.setAttribute('x', box.x - box.width / 2); rect.setAttribute('y', box.y - box.height / 2);
      rect.setAttribute('width', box.width); rect.setAttribute('height', box.height); rect.setAttribute('rx', 6);
      a.appendChild(rect);
      [[n.table || 'not in the store', -6, 'kind'], [id.length > 34 ? id.slice(0, 33) + '…' : id, 12, 'id']].forEach(function (line) {
        var text = document.createElementNS(NS, 'text');
        text.setAttribute('x', box.x); text.setAttribute('y', box.y + line[1]); text.setAttribute('text-anchor', 'middle');
        text.setAttribute('class', line[2]);
        text.textContent = line[0];
        a.appendChild(text);
      });
      svg.appendChild(a);
    });
    host.appendChild(svg);
  }
})();
