package scenarios

// The words a scenario may use for request classes, links and toxics. They are part of
// the schema: the load generator has a request builder for every class and each runtime
// a proxy for every link, and tests hold them to that.

// Classes are the request classes a mix can draw from.
var Classes = []string{
	"catalogue", // GET the procedure catalogue with a search term (no auth)
	"login",     // POST a citizen password grant to the identity provider
	"submit",    // POST a dossier (Bearer, Idempotency-Key); the portal checks the population registry
	"status",    // GET one of the citizen's dossiers

	// Abuse (abuse.yaml): each is refused, and an objective of kind codes says with what.
	"forged-token",    // GET a dossier with a token signed by nobody (alg none): 401
	"expired-token",   // GET a dossier with a real token whose expiry was moved into the past: 401
	"enumerate",       // GET another citizen's dossier with one's own token: 404
	"oversize-upload", // POST a dossier of 128 KiB, twice the body limit: 413
	"slow-upload",     // POST a dossier whose body trickles and never ends: 408 at the body deadline
	"burst",           // one client's flood of never-ending bodies past its requests in progress: 408, then 429
}

// ClassesNeedingUsers are sent as (or against) set-up users: load.users must not be 0.
var ClassesNeedingUsers = []string{"submit", "status", "forged-token", "expired-token", "enumerate", "oversize-upload", "slow-upload"}

// Links are the network paths a fault can target, "from->to": the base links, one link
// per registry ("portal->registry.<registry>", behind the shared "portal->registry"),
// and one per link tier ("<tier>->portal", in front of the shared "client->portal").
var Links = links()

// Registries are the national registries the portal calls, each on its own link
// "portal->registry.<name>" (the registry stub serves each under /<name>/v1/).
var Registries = []string{"population", "civil-status", "residence", "social-insurance",
	"health-insurance", "business", "land", "tax", "judicial-records", "treasury"}

// Tiers are the link tiers of commune-level units: how a commune's officials and local
// citizens reach the portal (urban fibre, rural, remote/island — the 13 special zones
// are island units on the remote tier). Each tier has its own link to the portal,
// named "<tier>->portal".
var Tiers = []string{"urban", "rural", "remote"}

// RegistryLink and TierLink name the per-registry and per-tier links.
func RegistryLink(registry string) string { return "portal->registry." + registry }
func TierLink(tier string) string         { return tier + "->portal" }

// The province aggregation link and the data-centre trunk (calibration F28, F29): every
// tier's portal traffic goes "<tier>->portal" → AggregationLink → TrunkLink → the front
// door ("client->portal"), so a fault can narrow or cut either for every tier at once.
const (
	AggregationLink = "province->dc"
	TrunkLink       = "dc->portal"
)

// TierIdentityLink names a tier's link to the identity provider (in front of
// "client->identity"): logins go over the user's tier like every other request.
func TierIdentityLink(tier string) string { return tier + "->identity" }

func links() []string {
	ls := []string{"client->portal", "client->identity", "portal->identity", "portal->registry", AggregationLink, TrunkLink}
	for _, r := range Registries {
		ls = append(ls, RegistryLink(r))
	}
	for _, t := range Tiers {
		ls = append(ls, TierLink(t))
	}
	ls = append(ls, exchangeLinks()...)
	for _, t := range Tiers {
		ls = append(ls, TierIdentityLink(t))
	}
	return ls
}

// Toxic kinds a fault can apply: toxiproxy's own, two custom toxics of the embedded
// toxiproxy server (harness/fault/toxics), and down.
const (
	ToxicLatency         = "latency"          // adds latency (+ jitter) to every chunk on the stream
	ToxicBandwidth       = "bandwidth"        // caps each connection's rate
	ToxicSharedBandwidth = "shared_bandwidth" // caps all the link's connections together (one token bucket)
	ToxicSlowClose       = "slow_close"       // delays the close of the connection
	ToxicTimeout         = "timeout"          // stops all data and closes the connection after a timeout (0: holds it forever)
	ToxicResetPeer       = "reset_peer"       // resets the connection (TCP RST) after a timeout
	ToxicSlicer          = "slicer"           // slices data into small bits, optionally with a delay between them
	ToxicLimitData       = "limit_data"       // closes the connection after a number of bytes
	ToxicLoss            = "loss"             // packet loss, as TCP shows it: a chunk is held back one retransmission timeout
	ToxicDown            = "down"             // the link refuses and drops every connection
)

// Toxics are the toxic kinds a fault can apply.
var Toxics = []string{ToxicLatency, ToxicBandwidth, ToxicSharedBandwidth, ToxicSlowClose, ToxicTimeout,
	ToxicResetPeer, ToxicSlicer, ToxicLimitData, ToxicLoss, ToxicDown}

// Streams a toxic can act on: downstream (responses, the default), upstream (requests)
// or both (one toxic each way).
const (
	StreamDownstream = "downstream"
	StreamUpstream   = "upstream"
	StreamBoth       = "both"
)

// Roles are the processes of the system under test a fault can act on.
var Roles = []string{"portal", "identity", "registry"}

// Actions a process fault can take; each but restart is undone at the window's end.
const (
	ActionStop       = "stop"       // graceful stop (SIGTERM); started again at the end
	ActionKill       = "kill"       // SIGKILL, no shutdown; started again at the end
	ActionRestart    = "restart"    // graceful stop and start at once; no window
	ActionPause      = "pause"      // frozen (requests hang); resumed at the end
	ActionDisconnect = "disconnect" // cut off from the network; reconnected at the end
)

// Actions lists the process fault actions.
var Actions = []string{ActionStop, ActionKill, ActionRestart, ActionPause, ActionDisconnect}
