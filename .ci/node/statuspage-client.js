// statuspage-client.js BASE_URL asks a herald site what a Statuspage client
// sees, through the third-party statuspage.io package (pinned in
// package.json), and prints it as JSON for site/statuspage_client_test.go.
// The package talks to https://<page>.statuspage.io by default; setApiUrl
// points it at the site under test. (Its scheduledMaintenances.getAll and
// getActive fetch upcoming.json, a bug of the package, so only getUpcoming
// is asked.)
'use strict';

const {Statuspage} = require('statuspage.io');

async function main() {
  const base = process.argv[2];
  if (!base) throw new Error('usage: node statuspage-client.js BASE_URL');
  const client = new Statuspage('herald');
  client.setApiUrl(base);
  const api = client.api;

  const status = await api.getStatus();
  const components = await api.getComponents();
  const summary = await api.getSummary();
  const unresolved = await api.incidents.getUnresolved();
  const incidents = await api.incidents.getAll();
  const upcoming = await api.scheduledMaintenances.getUpcoming();

  const brief = (c) => ({id: c.id, name: c.name, status: c.status, group: c.group});
  const incident = (i) => ({id: i.id, name: i.name, status: i.status, impact: i.impact, updates: i.incident_updates.length});
  process.stdout.write(JSON.stringify({
    page: status.page,
    status: status.status,
    components: components.components.map(brief),
    summary: {
      status: summary.status,
      components: summary.components.map(brief),
      incidents: summary.incidents.map(incident),
      scheduled_maintenances: summary.scheduled_maintenances.map((m) => m.id),
    },
    unresolved: unresolved.incidents.map(incident),
    incidents: incidents.incidents.map(incident),
    upcoming: upcoming.scheduled_maintenances.map((m) => ({id: m.id, name: m.name, status: m.status, scheduled_for: m.scheduled_for})),
  }) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack || err) + '\n');
  process.exit(1);
});
