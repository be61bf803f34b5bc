// The link chart: Cytoscape.js over /api/chart/*. No inline script (CSP); every value
// shown is set with textContent, never as HTML, so names cannot become markup.
(function () {
  "use strict";
  var box = document.getElementById("chart");
  if (!box || typeof cytoscape === "undefined") { return; }
  var COLOURS = { person: "#1f5fa8", vehicle: "#c98a1b", phone: "#7b4bb0", location: "#3b9a4b" };
  var cy = cytoscape({
    container: box,
    wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: {
          "background-color": function (n) { return COLOURS[n.data("kind")] || "#777"; },
          "label": "data(caption)", "font-size": 10, "text-valign": "bottom",
          "text-margin-y": 3, "width": 22, "height": 22, "text-wrap": "ellipsis",
          "text-max-width": 110 } },
      { selector: "node[?flagged]", style: { "border-width": 4, "border-color": "#d62828" } },
      { selector: "node[?centre]", style: { "width": 32, "height": 32 } },
      { selector: "edge", style: {
          "width": function (e) { return Math.min(1 + e.data("count"), 7); },
          "line-color": "#9aa7b6", "curve-style": "bezier", "label": "data(kind)",
          "font-size": 7, "color": "#5b6775", "text-rotation": "autorotate" } },
      { selector: "edge[!firm]", style: { "line-style": "dashed" } },
      { selector: ".path", style: { "line-color": "#d62828", "background-color": "#d62828",
          "width": 6 } },
      { selector: ":selected", style: { "overlay-color": "#8fc1ff", "overlay-opacity": 0.35 } }
    ]
  });
  window.joinedupChart = cy;  // for the browser tests and the console
  var status = document.getElementById("status");
  var details = document.getElementById("details");

  function say(text) { status.textContent = text; }

  function filters() {
    var params = new URLSearchParams();
    var from = document.getElementById("date_from").value;
    var to = document.getElementById("date_to").value;
    var roles = Array.prototype.filter.call(document.getElementById("roles").options,
      function (o) { return o.selected; }).map(function (o) { return o.value; });
    if (from) { params.set("date_from", from); }
    if (to) { params.set("date_to", to); }
    if (roles.length) { params.set("roles", roles.join(",")); }
    return params;
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) { throw new Error(body.detail || ("HTTP " + r.status)); }
          return body;
        });
      });
  }

  function add(chart, centreIds, around) {
    var elements = [];
    var origin = around ? around.position() : { x: 0, y: 0 };
    var fresh = cy.nodes().length === 0;
    chart.nodes.forEach(function (n) {
      if (cy.getElementById(n.id).length) {
        if (n.flags && n.flags.length) { cy.getElementById(n.id).data("flagged", true); }
        return;
      }
      // New entities start near the one expanded: cose is slow (and jumpy) when many
      // nodes share one position.
      var angle = Math.random() * 2 * Math.PI, radius = 60 + Math.random() * 60;
      elements.push({ group: "nodes", position: {
          x: origin.x + radius * Math.cos(angle), y: origin.y + radius * Math.sin(angle) },
        data: {
        id: n.id, entity_id: n.entity_id, kind: n.kind, label: n.label || "",
        caption: n.id + " " + (n.label || ""), flags: n.flags || [],
        flagged: !!(n.flags && n.flags.length), centre: centreIds.indexOf(n.entity_id) >= 0 } });
    });
    chart.edges.forEach(function (e) {
      var id = e.entity + "-" + e.other + "-" + e.kind;
      if (cy.getElementById(id).length) { return; }
      elements.push({ group: "edges", data: {
        id: id, source: e.entity, target: e.other, kind: e.kind.replace("_", " "),
        firm: e.firm, count: e.count, first: e.first, last: e.last,
        roles: (e.roles || []).concat(e.other_roles || []), records: e.record_ids,
        record_count: e.record_count || e.record_ids.length } });
    });
    cy.add(elements);
    cy.layout({ name: "cose", animate: false, nodeRepulsion: 9000, idealEdgeLength: 90,
                randomize: fresh, padding: 20, numIter: 600 }).run();
    say(cy.nodes().length + " entities, " + cy.edges().length + " links" +
        (chart.truncated ? " (truncated: expand from a node)" : ""));
  }

  function load() {
    var start = document.getElementById("start").value.replace(/^E/i, "");
    var group = document.getElementById("group").value.replace(/^G/i, "");
    if (!start && !group) { say("Give an entity or a group to start from."); return; }
    cy.elements().remove();
    var url = group ? "/api/chart/group/" + encodeURIComponent(group)
                    : "/api/chart/entity/" + encodeURIComponent(start);
    say("loading…");
    getJSON(url + "?" + filters().toString()).then(function (chart) {
      add(chart, group ? chart.nodes.filter(function (n) { return n.member; })
                              .map(function (n) { return n.entity_id; })
                       : [parseInt(start, 10)]);
    }).catch(function (err) { say(err.message); });
  }

  function expand(node) {
    var params = filters(); params.set("depth", "1");
    say("expanding " + node.id() + "…");
    getJSON("/api/chart/entity/" + node.data("entity_id") + "?" + params.toString())
      .then(function (chart) { add(chart, [], node); })
      .catch(function (err) { say(err.message); });
  }

  function line(parent, text, cls) {
    var div = document.createElement("div");
    div.textContent = text;
    if (cls) { div.className = cls; }
    parent.appendChild(div);
    return div;
  }

  function showNode(node) {
    details.replaceChildren();
    var h = document.createElement("h2");
    h.textContent = node.id() + " " + node.data("label");
    details.appendChild(h);
    line(details, node.data("kind"));
    node.data("flags").forEach(function (f) {
      line(details, "flag: " + f.kind + (f.band ? " (" + f.band + ")" : "") + " by " + f.rule +
           ", " + f.status, "tag flag");
    });
    var open = document.createElement("a");
    open.href = "/entity/" + node.data("entity_id");
    open.textContent = "Open profile";
    details.appendChild(open);
    details.appendChild(document.createTextNode(" "));
    var button = document.createElement("button");
    button.type = "button";
    button.id = "expand";
    button.textContent = "Expand";
    button.addEventListener("click", function () { expand(node); });
    details.appendChild(button);
  }

  function showEdge(edge) {
    details.replaceChildren();
    var h = document.createElement("h2");
    h.textContent = edge.data("kind") + (edge.data("firm") ? "" : " (candidate, not firm)");
    details.appendChild(h);
    line(details, edge.source().id() + " – " + edge.target().id());
    line(details, edge.data("count") + " piece(s) of evidence, " + edge.data("first") +
         " to " + edge.data("last"));
    line(details, "roles: " + edge.data("roles").join(", "), "why");
    line(details, "records: " + edge.data("records").join(", ") +
         (edge.data("record_count") > edge.data("records").length ? " and " +
          (edge.data("record_count") - edge.data("records").length) + " more" : ""), "why");
  }

  cy.on("tap", "node", function (evt) { showNode(evt.target); });
  cy.on("dbltap", "node", function (evt) { expand(evt.target); });
  cy.on("tap", "edge", function (evt) { showEdge(evt.target); });

  document.getElementById("chart-controls").addEventListener("submit", function (evt) {
    evt.preventDefault(); load();
  });
  document.getElementById("path-form").addEventListener("submit", function (evt) {
    evt.preventDefault();
    var a = document.getElementById("path-a").value.replace(/^E/i, "");
    var b = document.getElementById("path-b").value.replace(/^E/i, "");
    var out = document.getElementById("path-result");
    getJSON("/api/chart/path?a=" + encodeURIComponent(a) + "&b=" + encodeURIComponent(b))
      .then(function (p) {
        cy.elements().removeClass("path");
        if (!p.found) { out.textContent = "No chain of firm links between them."; return; }
        out.textContent = p.entities.join(" → ") + " (" + p.length + " links)";
        var chart = { nodes: [], edges: [] };
        p.hops.forEach(function (h) {
          chart.nodes.push({ id: h.from, entity_id: parseInt(h.from.slice(1), 10), kind: "person",
                             label: "" });
          chart.nodes.push({ id: h.to, entity_id: parseInt(h.to.slice(1), 10), kind: h.to_kind,
                             label: h.to_label });
          h.links.forEach(function (l) { chart.edges.push(l); });
        });
        add(chart, []);
        p.entities.forEach(function (id) { cy.getElementById(id).addClass("path"); });
        p.hops.forEach(function (h) { h.links.forEach(function (l) {
          cy.getElementById(l.entity + "-" + l.other + "-" + l.kind).addClass("path"); }); });
      }).catch(function (err) { out.textContent = err.message; });
  });
  document.getElementById("export-png").addEventListener("click", function () {
    var blob = cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff" });
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "joinedup-link-chart.png";
    document.body.appendChild(link);
    link.click();
    link.remove();
  });
  if (box.dataset.start || box.dataset.group) { load(); }
})();
