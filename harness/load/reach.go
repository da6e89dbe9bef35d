package load

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

// Reach is how the load's client reaches a system that is not plain HTTP on this
// machine: through the proxies standing in front of a system already running (whose
// URL names another host), and over TLS.
type Reach struct {
	// Names maps a proxy's address (host:port) to the host the system's URL names:
	// requests to the proxy carry that Host header and TLS server name, as if sent to
	// the system itself.
	Names map[string]string
	// RootCAs verify TLS servers; nil: the system's roots.
	RootCAs *x509.CertPool
}

// Client is the HTTP client of the load: keep-alive, a connection pool big enough for
// the in-flight bound, the request timeout, and r's names and roots. It counts the
// bytes on the wire of every exchange (bytes.go).
func (r Reach) Client(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		DialContext:         countedDial(dialer.DialContext),
		MaxIdleConnsPerHost: 10_000,
		IdleConnTimeout:     90 * time.Second,
		TLSClientConfig:     &tls.Config{RootCAs: r.RootCAs},
	}
	var rt http.RoundTripper = tr
	if len(r.Names) > 0 {
		// The certificate is the system's, for its name, not for the proxy's address.
		tr.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := countedDial(dialer.DialContext)(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			name := addr
			if n, ok := r.Names[addr]; ok {
				name = n
			}
			if host, _, err := net.SplitHostPort(name); err == nil {
				name = host
			}
			tc := tls.Client(conn, &tls.Config{RootCAs: r.RootCAs, ServerName: name})
			if err := tc.HandshakeContext(ctx); err != nil {
				conn.Close()
				return nil, err
			}
			return tc, nil
		}
		rt = hostNamer{names: r.Names, next: tr}
	}
	return &http.Client{
		Timeout:       timeout,
		Transport:     wireCounter{next: rt},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// hostNamer sends each request to a proxy with the Host its system's URL names: a
// portal behind a virtual host answers only to its own name.
type hostNamer struct {
	names map[string]string
	next  http.RoundTripper
}

func (h hostNamer) RoundTrip(req *http.Request) (*http.Response, error) {
	if name, ok := h.names[req.URL.Host]; ok && (req.Host == "" || req.Host == req.URL.Host) {
		named := *req // a shallow copy: a RoundTripper does not change its caller's request
		named.Host = name
		req = &named
	}
	return h.next.RoundTrip(req)
}

// RootsWith is the system's roots and the certificate authorities in the PEM files.
func RootsWith(files ...string) (*x509.CertPool, error) {
	if len(files) == 0 {
		return nil, nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	for _, f := range files {
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("CA file: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s: no PEM certificate in it", f)
		}
	}
	return pool, nil
}
