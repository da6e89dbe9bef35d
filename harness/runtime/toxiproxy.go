package runtime

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"

	toxiproxyserver "github.com/Shopify/toxiproxy/v2"
	toxiproxy "github.com/Shopify/toxiproxy/v2/client"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/thongsuot/thongsuot/harness/fault/toxics" // the custom toxics, for this server
)

// Toxiproxy is a toxiproxy server running in this process. Toxics registered in this
// binary (custom ones included) are available to it.
type Toxiproxy struct {
	Addr   string
	Client *toxiproxy.Client
	server *toxiproxyserver.ApiServer
	http   *http.Server
}

// MetersPath is where a toxiproxy server of this binary serves its meter toxics' counts
// (toxics.Meters, a JSON object of key → bytes) beside toxiproxy's own API: how the
// harness reads the links of a toxiproxy in a container.
const MetersPath = "/thongsuot/meters"

// StartToxiproxy serves the toxiproxy API on addr ("127.0.0.1:0" picks a port).
func StartToxiproxy(addr string) (*Toxiproxy, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("toxiproxy API: %w", err)
	}
	srv := toxiproxyserver.NewServer(toxiproxyserver.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	// Not srv.Listen: it has no ReadHeaderTimeout and cannot be given a listener.
	// Routes carries toxiproxy's own 25 s handler timeout; ours bound the connection.
	mux := http.NewServeMux()
	mux.Handle("/", srv.Routes())
	mux.HandleFunc("GET "+MetersPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(toxics.Meters())
	})
	t := &Toxiproxy{Addr: ln.Addr().String(), server: srv, http: NewHTTPServer(mux)}
	go t.http.Serve(ln)
	t.Client = toxiproxy.NewClient(t.Addr)
	return t, nil
}

// Proxy creates a proxy for link from listen to upstream.
func (t *Toxiproxy) Proxy(link, listen, upstream string) (*toxiproxy.Proxy, error) {
	p, err := t.Client.CreateProxy(proxyName(link), listen, upstream)
	if err != nil {
		return nil, fmt.Errorf("proxy for %s: %w", link, err)
	}
	return p, nil
}

// Close closes every proxy and the API.
func (t *Toxiproxy) Close() error {
	return errors.Join(t.server.Collection.Clear(), t.http.Close())
}
