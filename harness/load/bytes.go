package load

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Bytes on the wire. A request's size is what its connection carried for it, headers
// included, each way: every connection of the load's client counts what it reads and
// writes into the exchange it carries at the time, which a request takes over when it
// gets the connection. HTTP/1.1 carries one exchange at a time on a connection, and the
// transport hands a connection on only after the last byte of the previous answer was
// read, so every byte counts once, for its own request, without keeping any body
// (vegeta's MaxBody(0) still drains the body, which is what counts it). Over TLS the
// counts are the encrypted bytes: what the link carries.

// wireKey is the response header the client leaves the counts in until the sink reads
// them. Go writes a server's header names in canonical form, so a lower-case name
// never comes from the wire.
const wireKey = "thongsuot-wire"

// unitKey carries the unit (its code) a request is sent for, from the load to the
// sink: set on the request, taken off by the client before the request is written, and
// left on the answer's header (UnitOf).
const unitKey = "thongsuot-unit"

// UnitOf is the code of the unit whose user sent res ("" when none is known).
func UnitOf(res *vegeta.Result) string {
	if v := res.Headers[unitKey]; len(v) == 1 {
		return v[0]
	}
	return ""
}

// withUnit is h (a fresh map when nil) naming unit code as the request's.
func withUnit(h http.Header, code string) http.Header {
	if code == "" {
		return h
	}
	if h == nil {
		h = http.Header{}
	}
	h[unitKey] = []string{code}
	return h
}

// exchange is one request's bytes: In read, Out written.
type exchange struct {
	in, out atomic.Int64
}

// countedConn counts the bytes a connection reads and writes into its current exchange.
type countedConn struct {
	net.Conn
	current atomic.Pointer[exchange]
}

func (c *countedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if e := c.current.Load(); e != nil {
		e.in.Add(int64(n))
	}
	return n, err
}

func (c *countedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if e := c.current.Load(); e != nil {
		e.out.Add(int64(n))
	}
	return n, err
}

// countedDial wraps dial so that every connection it makes is counted.
func countedDial(dial func(ctx context.Context, network, addr string) (net.Conn, error)) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &countedConn{Conn: c}, nil
	}
}

// counted finds the counted connection under c (a TLS connection wraps it).
func counted(c net.Conn) *countedConn {
	for c != nil {
		switch v := c.(type) {
		case *countedConn:
			return v
		case interface{ NetConn() net.Conn }:
			c = v.NetConn()
		default:
			return nil
		}
	}
	return nil
}

// wireCounter is the client's transport: each request takes over its connection's
// counting, and the exchange's bytes are left in the response's header once the body
// ends.
type wireCounter struct{ next http.RoundTripper }

func (w wireCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	unit := ""
	if v, ok := req.Header[unitKey]; ok {
		// Never on the wire: a RoundTripper does not change its caller's request.
		req = req.Clone(req.Context())
		delete(req.Header, unitKey)
		if len(v) == 1 {
			unit = v[0]
		}
	}
	ex := &exchange{}
	var got bool
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		// A retry on another connection counts there too: both went on the wire.
		if c := counted(info.Conn); c != nil {
			c.current.Store(ex)
			got = true
		}
	}}
	resp, err := w.next.RoundTrip(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
	if err != nil || !got {
		return resp, err
	}
	header := resp.Header
	if unit != "" && header != nil {
		header[unitKey] = []string{unit}
	}
	resp.Body = &wireBody{ReadCloser: resp.Body, done: func() {
		if header != nil {
			header[wireKey] = []string{strconv.FormatInt(ex.in.Load(), 10) + "/" + strconv.FormatInt(ex.out.Load(), 10)}
		}
	}}
	return resp, nil
}

// wireBody calls done once, when the body ends or is closed.
type wireBody struct {
	io.ReadCloser
	done   func()
	called bool
}

func (b *wireBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.called {
		b.called = true
		b.done()
	}
	return n, err
}

func (b *wireBody) Close() error {
	err := b.ReadCloser.Close()
	if !b.called {
		b.called = true
		b.done()
	}
	return err
}

// WireBytes takes the counts the client left in res's headers: bytes in (the
// response, status line and headers included) and out (the request, likewise). ok is
// false when the request got no answer to count (a transport error).
func WireBytes(res *vegeta.Result) (in, out uint64, ok bool) {
	v := res.Headers[wireKey]
	if len(v) != 1 {
		return 0, 0, false
	}
	a, b, found := strings.Cut(v[0], "/")
	i, err1 := strconv.ParseUint(a, 10, 64)
	o, err2 := strconv.ParseUint(b, 10, 64)
	if !found || err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return i, o, true
}

// wireSink puts each answered request's bytes on the wire in its result (BytesIn,
// BytesOut) before the sink sees it. A request without an answer keeps what it sent
// of its body.
type wireSink struct{ Sink }

func (s wireSink) Sent(class int, res *vegeta.Result, due time.Time) {
	if in, out, ok := WireBytes(res); ok {
		res.BytesIn, res.BytesOut = in, out
		delete(res.Headers, wireKey)
	}
	s.Sink.Sent(class, res, due)
}
