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
}

// Links are the network paths a fault can target, "from->to".
var Links = []string{
	"client->portal",
	"client->identity",
	"portal->identity",
	"portal->registry",
}

// Tiers are the link tiers of commune-level units: how a commune's officials and local
// citizens reach the portal (urban fibre, rural, remote/island — the 13 special zones
// are island units on the remote tier). Each tier has its own link to the portal,
// named "<tier>->portal".
var Tiers = []string{"urban", "rural", "remote"}

// Toxic kinds a fault can apply.
const (
	ToxicLatency = "latency" // adds latency (+ jitter) to every chunk on the stream
	ToxicDown    = "down"    // the link refuses and drops every connection
)

// Toxics are the toxic kinds a fault can apply.
var Toxics = []string{ToxicLatency, ToxicDown}
