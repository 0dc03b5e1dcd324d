package synth

// The phrase banks below are what synthetic incidents are made of. {comp}
// is the first affected component's name, {comps} all of them, {what} a
// scenario's subject; other placeholders are invented per use (see
// gen.word).

type scenario struct {
	key        string
	comps      []string
	what       []string
	titles     []string
	tags       []string
	public     map[string][]string // by status
	tech       []string
	summary    []string
	rootCauses []string
	actions    []string
}

var scenarios = []*scenario{
	{
		key:    "database-failover",
		comps:  []string{"checkout-api", "hosted-checkout", "card-processing"},
		what:   []string{"the payments database", "the primary database", "the database cluster"},
		titles: []string{"{comps} unavailable", "Errors creating payments through the {comp}", "{comp}: most requests failing"},
		tags:   []string{"database", "failover", "payments-core"},
		public: map[string][]string{
			"investigating": {"The {comp} is returning errors for most requests.", "Shoppers may not be able to complete payments on affected stores.", "We are investigating with our highest priority.", "Requests that fail can be retried safely with the same `Idempotency-Key`."},
			"identified":    {"{what} behind the {comp} stopped responding and the automatic switch to its standby did not complete.", "We are promoting the standby by hand.", "Shoppers whose payment failed were **not** charged; they can try again once service is back."},
			"monitoring":    {"The standby database is now the primary and {comps} accept payments normally again.", "We are watching error rates closely before we close the incident.", "Webhook events for payments made during the incident may arrive a few minutes late."},
			"resolved":      {"This incident is resolved: {comps} have worked normally since the fix.", "Shoppers were not charged for payments that failed during the incident.", "We will publish a post-incident review on this page within five business days."},
		},
		tech:       []string{"Primary {host} stopped answering; automatic failover has NOT happened. Runbook {runbook}.", "Patroni leader key stuck on {host}; etcd member in {region} cut off.", "pgbouncer pools exhausted on {host}; p99 above {ms} ms.", "Manual `patronictl failover` approved by the IC; {person} is running it."},
		summary:    []string{"For a while most requests to the {comp} failed and shoppers could not pay on many stores.", "A failed database failover left {comps} returning errors for part of the day."},
		rootCauses: []string{"Automatic database failover was blocked by a split of its coordination cluster.", "A network partition isolated the primary database: the standby was never promoted."},
		actions:    []string{"Spread the coordination cluster across three availability zones", "Alert when the payments database has no healthy leader for 60 seconds", "Run a failover game day every quarter"},
	},
	{
		key:    "elevated-latency",
		comps:  []string{"checkout-api", "dashboard", "card-processing"},
		what:   []string{"a slow dependency", "a saturated cache tier", "an overloaded load balancer"},
		titles: []string{"Elevated latency on the {comp}", "Slow responses from {comps}", "{comp} slower than usual"},
		tags:   []string{"latency", "capacity", "cache"},
		public: map[string][]string{
			"investigating": {"Requests to the {comp} are taking longer than usual, up to {pct} seconds in some cases.", "Some requests time out; most succeed when retried.", "We are investigating the cause."},
			"identified":    {"The slowdown comes from {what}.", "We have added capacity and are moving traffic away from the affected servers.", "Response times are improving."},
			"monitoring":    {"Response times of the {comp} are back to normal.", "We continue to watch the service closely.", "No data was lost and no payment was duplicated."},
			"resolved":      {"Response times have stayed normal for an hour and the incident is resolved.", "Thank you for your patience while we worked on this."},
		},
		tech:       []string{"p99 of {comp} at {ms} ms against a 400 ms SLO; {host} CPU at {pct}%.", "Cache hit rate fell to {pct}% after the eviction storm on {host}.", "Shifted {pct}% of traffic to {region}; autoscaler capped at {n} pods.", "Slow query on `payments_search` without its index; {person} is adding it."},
		summary:    []string{"Requests to the {comp} were slower than usual for part of the day.", "{comps} responded slowly because of {what}."},
		rootCauses: []string{"A cache eviction storm sent every read to the database.", "A slow dependency held connections open until the pools ran out."},
		actions:    []string{"Cap per-tenant cache usage", "Alert on p99 latency, not only on errors", "Load-test {comp} at twice the peak every release"},
	},
	{
		key:    "webhook-delays",
		comps:  []string{"webhooks"},
		what:   []string{"the event queue", "a backlog of retries", "the delivery workers"},
		titles: []string{"Webhook deliveries delayed", "Delays delivering webhook events", "Webhooks: events arriving late"},
		tags:   []string{"queue", "webhooks", "backlog"},
		public: map[string][]string{
			"investigating": {"Webhook events are arriving at merchant endpoints later than usual, up to {n} minutes late.", "No events have been lost; they are queued and will be delivered.", "We are investigating."},
			"identified":    {"A backlog formed in {what} after a slow release.", "We have added delivery workers and the backlog is shrinking."},
			"monitoring":    {"The backlog has been delivered and new events arrive within seconds again.", "Events sent during the delay carry their original `created` time."},
			"resolved":      {"Webhook delivery has been normal since the backlog cleared.", "If your endpoint rejected events during the delay, they will be retried on the usual schedule."},
		},
		tech:       []string{"Queue depth at {n}k messages; consumer lag {n} min on {host}.", "Release {change} doubled per-event DB reads; rolled back at the IC's call.", "Scaled delivery workers from {n} to {n}; DLQ is empty."},
		summary:    []string{"Webhook events reached merchant endpoints late, but none were lost.", "A backlog in {what} delayed webhook deliveries for a few hours."},
		rootCauses: []string{"A release doubled the work per event and the delivery workers fell behind.", "Retries to a few slow endpoints starved the shared delivery pool."},
		actions:    []string{"Isolate retries from first deliveries", "Alert on consumer lag above five minutes", "Add per-endpoint concurrency limits"},
	},
	{
		key:    "payouts-delayed",
		comps:  []string{"payouts", "reporting"},
		what:   []string{"a late bank file", "the settlement batch", "our banking partner's cutoff"},
		titles: []string{"Same-day payouts delayed", "Payouts later than scheduled", "Delays in {comps}"},
		tags:   []string{"payouts", "banking", "batch"},
		public: map[string][]string{
			"investigating": {"Some payouts scheduled for today have not been sent yet.", "Balances are correct and no money is lost.", "We are working with our banking partner to find out why."},
			"identified":    {"The delay comes from {what}.", "Payouts will be sent in the next batch; most will arrive one business day later than usual."},
			"monitoring":    {"The delayed payouts have been sent.", "Your bank may take until tomorrow to show them."},
			"resolved":      {"All delayed payouts have been sent and today's payouts run on schedule.", "Reports for the affected days have been regenerated."},
		},
		tech:       []string{"Settlement job {ticket} failed on {host} at step 4 of 7.", "Bank SFTP returned 421 for {n} minutes; retries exhausted.", "Re-ran the batch with `--since` the last good file; {n} payouts in it."},
		summary:    []string{"Some payouts arrived one business day late because of {what}.", "Payouts and the matching reports were delayed for part of a day."},
		rootCauses: []string{"The settlement batch failed silently after a certificate rotation at the bank.", "A late bank file pushed the batch past the same-day cutoff."},
		actions:    []string{"Page on a settlement batch that has not finished by its cutoff", "Track bank certificate expiry dates", "Tell affected merchants automatically"},
	},
	{
		key:    "sign-in-failures",
		comps:  []string{"dashboard"},
		what:   []string{"our single sign-on provider", "an expired signing certificate", "the session store"},
		titles: []string{"Dashboard sign-in failures", "Single sign-on failing for some merchants", "Errors signing in to the {comp}"},
		tags:   []string{"sso", "identity", "certificates"},
		public: map[string][]string{
			"investigating": {"Some users cannot sign in to the {comp}.", "Users who are already signed in are not affected.", "Payments are not affected."},
			"identified":    {"Sign-ins fail because of {what}.", "We are rolling out a fix."},
			"monitoring":    {"Sign-in works again for all users.", "If you still see an error, sign out and in again."},
			"resolved":      {"Sign-in has worked normally since the fix and the incident is resolved."},
		},
		tech:       []string{"SAML assertions rejected: signature mismatch after rotation {change}.", "Session store {host} at {pct}% memory; evictions since {ms} ms latency spike.", "IdP metadata cache was stale; forced refresh on all {n} pods."},
		summary:    []string{"Some merchants could not sign in to the dashboard; payments were not affected.", "Sign-in failed for part of the day because of {what}."},
		rootCauses: []string{"A signing certificate was rotated at the identity provider before our metadata cache refreshed.", "The session store ran out of memory and dropped sessions."},
		actions:    []string{"Refresh identity-provider metadata hourly", "Alert on sign-in failure rate", "Rehearse certificate rotation in staging"},
	},
	{
		key:    "exports-failing",
		comps:  []string{"reporting", "dashboard"},
		what:   []string{"large report exports", "the export workers", "the object store"},
		titles: []string{"Large report exports failing", "CSV exports not completing", "{comp}: delays generating reports"},
		tags:   []string{"reporting", "exports", "storage"},
		public: map[string][]string{
			"investigating": {"Exports of more than a few thousand rows are failing or taking much longer than usual.", "Smaller exports and scheduled reports work normally."},
			"identified":    {"The failures come from {what}.", "We are deploying a fix and will re-run failed exports for you."},
			"monitoring":    {"Exports complete normally again.", "Failed exports are being re-run; you will receive them by email."},
			"resolved":      {"Exports have worked normally since the fix, and every failed export was re-run."},
		},
		tech:       []string{"Export workers OOM-killed at {n} MiB on {host}.", "Object store PUTs throttled: {n} 503s per minute in {region}.", "Streaming writer regression in {change}; rolled back."},
		summary:    []string{"Large report exports failed for part of the day; every failed export was re-run.", "{what} made large exports fail for some merchants."},
		rootCauses: []string{"A change buffered whole exports in memory.", "Throttling at the object store failed exports without retrying."},
		actions:    []string{"Stream exports to storage", "Retry throttled uploads with backoff", "Test exports with a million rows before release"},
	},
	{
		key:    "refunds-failing",
		comps:  []string{"refunds", "card-processing"},
		what:   []string{"one card network", "our acquiring bank", "a card network's refund endpoint"},
		titles: []string{"Refunds failing for some cards", "Refunds to {provider} cards failing", "Delays processing refunds"},
		tags:   []string{"refunds", "card-network", "third-party"},
		public: map[string][]string{
			"investigating": {"Some refunds fail with a generic error.", "Refunds to other cards work normally.", "We are investigating with {provider}."},
			"identified":    {"The failures come from {what}.", "Failed refunds are queued and will be sent again automatically."},
			"monitoring":    {"Refunds are succeeding again.", "Queued refunds are being sent now."},
			"resolved":      {"All queued refunds have been sent and refunds work normally."},
		},
		tech:       []string{"{provider} returned `response_code 96` for {pct}% of refund calls.", "Retry queue at {n} refunds; replay with `refundctl replay --since`.", "Acquirer ticket {ticket} open; their ETA unknown."},
		summary:    []string{"Refunds to some cards failed because of {what}; none were lost.", "Some refunds were delayed until {what} recovered."},
		rootCauses: []string{"A card network changed a refund field without notice.", "The acquirer's refund endpoint rejected requests after a maintenance."},
		actions:    []string{"Alert on refund failure rate per card network", "Subscribe to card network change notices", "Replay failed refunds automatically"},
	},
	{
		key:    "3ds-challenges",
		comps:  []string{"card-processing", "hosted-checkout"},
		what:   []string{"the 3-D Secure server", "a content security policy change", "our 3-D Secure provider"},
		titles: []string{"3-D Secure challenges not loading", "Card payments needing 3-D Secure failing", "{comp}: 3-D Secure errors"},
		tags:   []string{"3ds", "card-processing", "frontend"},
		public: map[string][]string{
			"investigating": {"Shoppers asked to confirm a payment with their bank (3-D Secure) may see a blank window.", "Payments that do not need 3-D Secure work normally."},
			"identified":    {"The problem comes from {what}.", "We are rolling back the change."},
			"monitoring":    {"3-D Secure challenges load again.", "Shoppers who saw an error can try again."},
			"resolved":      {"3-D Secure has worked normally since the rollback and the incident is resolved."},
		},
		tech:       []string{"CSP `frame-src` missing the ACS domains after {change}.", "3DS server {host} returning 502 for {pct}% of challenge requests.", "Rollback of widget {change} rolling out; {pct}% of pods done."},
		summary:    []string{"Shoppers needing 3-D Secure could not finish some payments.", "{what} stopped 3-D Secure challenges from loading."},
		rootCauses: []string{"A content security policy change blocked the banks' challenge pages.", "The 3-D Secure provider's regional endpoint failed."},
		actions:    []string{"Test 3-D Secure flows in the release pipeline", "Fail over to the second 3-D Secure region automatically", "Alert on challenge completion rate"},
	},
	{
		key:    "card-auth-timeouts",
		comps:  []string{"card-processing", "checkout-api"},
		what:   []string{"an acquiring bank", "a network link to our acquirer", "the authorization gateway"},
		titles: []string{"Card authorization timeouts", "Some card payments timing out", "Intermittent card declines"},
		tags:   []string{"acquirer", "network", "third-party"},
		public: map[string][]string{
			"investigating": {"Some card payments take a long time and then fail.", "Around {pct}% of authorizations are affected.", "We are investigating with our acquiring bank."},
			"identified":    {"The timeouts come from {what}.", "We are routing payments through our second acquirer."},
			"monitoring":    {"Authorizations are succeeding normally on the second acquirer.", "We are watching closely."},
			"resolved":      {"Card authorization has been normal since the reroute and the incident is resolved."},
		},
		tech:       []string{"Auth p99 {ms} ms; timeouts at 15 s on {host}.", "Rerouted BIN ranges to acquirer B via `routing set --fallback`.", "Packet loss {smallpct}% on the cross-connect in {region}."},
		summary:    []string{"Some card payments timed out because of {what}.", "Card authorizations failed intermittently until we rerouted them."},
		rootCauses: []string{"Packet loss on a cross-connect to our acquirer.", "The acquirer's gateway ran out of capacity."},
		actions:    []string{"Reroute to the second acquirer automatically", "Monitor cross-connect packet loss", "Agree capacity alerts with the acquirer"},
	},
	{
		key:    "dns-resolution",
		comps:  []string{"checkout-api", "hosted-checkout", "dashboard", "webhooks"},
		what:   []string{"our DNS provider", "a misconfigured DNS record", "an expired TLS certificate"},
		titles: []string{"Intermittent connection errors", "Some merchants cannot reach Synthpay", "Connection failures to {comps}"},
		tags:   []string{"dns", "network", "tls"},
		public: map[string][]string{
			"investigating": {"Some merchants cannot reach {comps}.", "The problem appears to depend on the merchant's network.", "We are investigating."},
			"identified":    {"The failures come from {what}.", "We have corrected the configuration; it takes a few minutes to reach every network."},
			"monitoring":    {"Connections succeed again from every network we test.", "If you still see errors, flush your DNS cache."},
			"resolved":      {"Connections have been normal for an hour and the incident is resolved."},
		},
		tech:       []string{"NXDOMAIN for api.synthpay.example from {pct}% of resolvers.", "Cert on the edge in {region} expired; renewed and pushed with {change}.", "TTL was 3600 s; negative caching will clear within the hour."},
		summary:    []string{"Some merchants could not reach Synthpay because of {what}.", "Connection failures hit {comps} for part of the day."},
		rootCauses: []string{"A DNS change removed a record still in use.", "An edge certificate expired because its renewal job had failed."},
		actions:    []string{"Review DNS changes with a second person", "Alert thirty days before any certificate expires", "Probe DNS from several networks"},
	},
}

var summaryTails = []string{
	"No card data was exposed.",
	"Payments that were already authorized were not affected.",
	"The post-incident review below has the full timeline.",
	"We are sorry for the disruption this caused.",
	"Contact support@synthpay.example if you still see problems.",
}

var publicTails = map[string][]string{
	"investigating": {"We will share more as soon as we know it.", "Our engineers are on it.", "See [our retry guide](https://docs.synthpay.example/errors#retries) for safe retries."},
	"identified":    {"We expect to restore service soon.", "We are working on a fix.", "Thank you for your patience."},
	"monitoring":    {"We will resolve the incident once everything stays stable.", "Please tell us if you still see problems."},
	"resolved":      {"Thank you for your patience.", "Contact support@synthpay.example with any question.", "We are sorry for the disruption."},
}

var advice = []string{
	"Shoppers whose payment failed were **not** charged",
	"Payments authorized earlier can still be captured and refunded as usual",
	"Retries with the same `Idempotency-Key` will not create duplicate payments",
	"Scheduled reports will be delivered once {comp} recovers",
	"Do not re-run captures on orders showing *authorized*",
	"See the [status API](https://docs.synthpay.example/status-api) to automate these checks",
}

var execNotes = []string{
	"About {pct}% of checkout attempts are failing; roughly {usd} per hour of merchant sales is blocked.",
	"Customer success is phoning our {merchants} largest merchants now.",
	"Estimated SLA credits so far: {usd} for {merchants} enterprise merchants.",
	"Continuity plan B (second acquirer) is active.",
	"{merchants} merchants opened tickets in the last hour; press has not picked it up.",
}

var execTails = []string{
	"Next executive update within the hour.",
	"Finance is tracking this as {ticket}.",
	"No regulatory notification is needed at this point.",
}

var endUserNotes = []string{
	"If a shopper tells you their payment failed, reassure them that no money was taken and ask them to try again later.",
	"Save any unfinished work in the dashboard; you may be signed out once while we apply the fix.",
	"Refunds you issue now are queued and will be sent automatically; do not issue them twice.",
	"Reports you download now may be incomplete; download them again after we post that the incident is resolved.",
}

var bridgeNotes = []string{
	"Bridge: Zoom room \"sp-sev\", chat in #inc-{n}. {person} is incident commander.",
	"{person} is the liaison to leadership; no one outside the bridge should page the database on-call directly.",
}

var internalNotes = []string{
	"Blameless note: the first page reached a phone left on silent; escalation reached {person} after ten minutes.",
	"Tracked internally as {ticket}; the SLA credit run is with finance.",
	"The change that triggered this was {change}, approved in the weekly CAB.",
	"{person} will own the post-incident review; draft due within five business days.",
}

var customerNotes = []string{
	"Enterprise merchants can reply to their account manager for a one-to-one follow-up.",
	"If you need a written incident statement for your auditors, contact support@synthpay.example.",
}

var timelineEvents = []string{
	"First errors in our metrics",
	"Alert fires and pages the on-call engineer",
	"Incident declared; incident commander assigned",
	"First public update on this page",
	"Cause identified: {what}",
	"Fix deployed",
	"{comps} fully recovered",
}

var people = []string{
	"Priya Raman", "Marcus Okafor", "Tomás Herrera", "Aiko Tanaka", "Ravi Kulkarni", "Lena Fischer",
	"Sofia Moreau", "Daniel Kim", "Amara Nwosu", "Jonas Berg", "Mei Lin", "Carlos Duarte",
	"Fatima Zahra", "Ola Nordmann", "Hannah Cohen", "Yusuf Demir",
}

var hostPrefixes = []string{"pg-payments", "pgbouncer", "api", "worker", "edge", "redis", "kafka", "vault"}

var regions = []string{"us-east-1a", "us-east-1b", "eu-west-1a", "eu-central-1b", "ap-southeast-2a"}

var providers = []string{"Amex", "Visa", "Mastercard", "Discover", "JCB"}

type window struct {
	key, title, what, intro string
	comps, effects          []string
}

var windows = []window{
	{
		key: "database-upgrade", title: "Database upgrade for {comps}", what: "the database",
		intro:   "We are upgrading the database behind {comps} to a newer major version.",
		comps:   []string{"payouts", "reporting"},
		effects: []string{"payouts are not sent; any payout due in the window is queued and sent right after it", "Reports & exports are read-only", "card payments and the Checkout API are **not** affected"},
	},
	{
		key: "sign-in-maintenance", title: "Merchant dashboard sign-in service maintenance", what: "the sign-in service",
		intro:   "We are moving the dashboard's sign-in service to new servers. You may be signed out once during the window.",
		comps:   []string{"dashboard"},
		effects: []string{"you may be signed out once and need to sign in again", "payments and payouts are not affected"},
	},
	{
		key: "hsm-upgrade", title: "Card vault hardware security module upgrade", what: "the card vault",
		intro:   "We are replacing the hardware security modules that protect saved card details.",
		comps:   []string{"card-processing", "checkout-api"},
		effects: []string{"payments with a **saved card** may fail for up to two minutes", "saving a new card may be slower than usual", "payments with a newly entered card work normally"},
	},
	{
		key: "network-maintenance", title: "Network maintenance in one data center", what: "the network",
		intro:   "Our hosting provider is replacing core network equipment in one data center. Traffic moves to the other one first.",
		comps:   []string{"checkout-api", "hosted-checkout", "webhooks"},
		effects: []string{"a few requests may fail once and succeed when retried", "webhook events may arrive up to a minute late"},
	},
}

var maintenanceTech = []string{
	"Change {change}; rollback: promote the untouched replica and repoint pgbouncer.",
	"Drain `{host}` first; abort if error rate exceeds 1% for two minutes. {person} runs the change.",
	"Freeze on schema migrations from the day before; runbook {runbook}.",
}
