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
// included, each way: the client counts every byte its connections read and write,
// and a request's share is the difference between the counts when it got its
// connection and when its answer's body ended. HTTP/1.1 carries one exchange at a time
// on a connection, so the difference is exactly that exchange's bytes, without keeping
// any body (vegeta's MaxBody(0) still drains the body, which is what counts it).
// Over TLS the counts are the encrypted bytes: what the link carries.

// wireKey is the response header the client leaves the counts in until the sink reads
// them. Go writes a server's header names in canonical form, so a lower-case name
// never comes from the wire.
const wireKey = "thongsuot-wire"

// countedConn counts the bytes a connection reads and writes.
type countedConn struct {
	net.Conn
	read, written atomic.Int64
}

func (c *countedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

func (c *countedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.written.Add(int64(n))
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

// wireCounter is the client's transport: it notes each request's connection and its
// counts, and leaves the exchange's bytes in the response's header once the body ends.
type wireCounter struct{ next http.RoundTripper }

func (w wireCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	var conn *countedConn
	var read0, written0 int64
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		if conn = counted(info.Conn); conn != nil {
			read0, written0 = conn.read.Load(), conn.written.Load()
		}
	}}
	resp, err := w.next.RoundTrip(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
	if err != nil || conn == nil {
		return resp, err
	}
	header := resp.Header
	resp.Body = &wireBody{ReadCloser: resp.Body, done: func() {
		in, out := conn.read.Load()-read0, conn.written.Load()-written0
		if header != nil {
			header[wireKey] = []string{strconv.FormatInt(in, 10) + "/" + strconv.FormatInt(out, 10)}
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
