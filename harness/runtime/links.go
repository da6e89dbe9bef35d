package runtime

// linkSpec is one link of the system under test: a toxiproxy proxy in front of a role.
type linkSpec struct {
	name     string // as scenarios name it (scenarios.Links)
	upstream string // the role it leads to: portal, identity or registry
	client   bool   // the load reaches it from outside; otherwise a service calls it
}

// links are the proxies every runtime sets up, in the order they are created.
var links = []linkSpec{
	{name: "portal->registry", upstream: "registry"},
	{name: "portal->identity", upstream: "identity"},
	{name: "client->identity", upstream: "identity", client: true},
	{name: "client->portal", upstream: "portal", client: true},
}
