package load

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"github.com/valyala/fasthttp"
)

// workerClient is one sender worker's HTTP/1.1 client: a fasthttp HostClient per host
// the worker sends to, each with one keep-alive connection, on which the worker writes
// its request and reads the answer itself. net/http's transport hands every request
// to two goroutines per connection (readLoop, writeLoop) through channels and allocates
// its header maps and contexts per request: at the generator's maximum rate that was
// most of its own CPU. A worker has one request in flight at a time, so its
// connections carry only its exchanges, and counting their bytes needs no hand-over
// (bytes.go's countedConn, current for good).
//
// What the load sees does not change: the Reach's proxy names (Host header and TLS
// server name) and roots, the client's timeout up to the answer's last byte, net/http's
// retry rule (a request whose method is idempotent or that carries an Idempotency-Key,
// body and all, retried once its reused connection turned out closed before any byte
// of the answer), and net/http's error texts for the same failures.
type workerClient struct {
	reach   Reach
	timeout time.Duration
	hosts   map[hostKey]*fasthttp.HostClient
	ex      exchange
	fresh   bool   // a connection was dialled during the current attempt
	readAt  int64  // bytes in when the current attempt began
	seq     uint64 // the current exchange's number: a connection peeks once per exchange
	req     fasthttp.Request
	resp    fasthttp.Response
	headers http.Header // the answer's headers, reused: a Sink keeps nothing of res
	drain   [32 << 10]byte
}

type hostKey struct{ scheme, host string }

// workerUserAgent names the load on the wire, as net/http's client names itself.
const workerUserAgent = "thongsuot"

func newWorkerClient(reach Reach, timeout time.Duration) *workerClient {
	c := &workerClient{reach: reach, timeout: timeout, hosts: map[hostKey]*fasthttp.HostClient{}, headers: http.Header{}}
	c.req.Header.SetNoDefaultContentType(true)
	c.resp.Header.SetNoDefaultContentType(true)
	return c
}

// close closes the worker's idle connections.
func (c *workerClient) close() {
	for _, hc := range c.hosts {
		hc.CloseIdleConnections()
	}
}

// host is the worker's client for u's scheme and host.
func (c *workerClient) host(u *url.URL) (*fasthttp.HostClient, error) {
	if hc, ok := c.hosts[hostKey{u.Scheme, u.Host}]; ok {
		return hc, nil
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, errors.New("unsupported protocol scheme " + strconv.Quote(u.Scheme))
	}
	if u.Host == "" {
		return nil, errors.New("no Host in request URL")
	}
	isTLS := u.Scheme == "https"
	addr := fasthttp.AddMissingPort(u.Host, isTLS)
	name := addr // the TLS server name, as Reach.Client's dialer picks it
	if n, ok := c.reach.Names[addr]; ok {
		name = n
	} else if n, ok := c.reach.Names[u.Host]; ok {
		name = n
	}
	if h, _, err := net.SplitHostPort(name); err == nil {
		name = h
	}
	hc := &fasthttp.HostClient{
		Addr: addr, IsTLS: isTLS, Name: workerUserAgent,
		TLSConfig:              &tls.Config{RootCAs: c.reach.RootCAs, ServerName: name},
		MaxConns:               1, // one request at a time: the worker's
		DisablePathNormalizing: true,
		// The answer is read to its end and dropped, never buffered: a system under
		// test that answers with gigabytes costs time, not memory (do).
		StreamResponseBody: true,
		// fasthttp parses an answer's headers inside its read buffer, so the buffer is
		// the largest header block it reads (net/http's limit is 1 MiB, read as it
		// comes). Portals send security policies and cookies of several KiB.
		ReadBufferSize: maxAnswerHeaders,
		DialTimeout: func(addr string, timeout time.Duration) (net.Conn, error) {
			conn, err := (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).Dial("tcp", addr)
			if err != nil {
				return nil, err
			}
			c.fresh = true
			cc := &countedConn{Conn: conn}
			cc.current.Store(&c.ex)
			return &workerConn{Conn: cc, c: c, tcp: conn}, nil
		},
		RetryIfErr: c.retry,
	}
	c.hosts[hostKey{u.Scheme, u.Host}] = hc
	return hc, nil
}

// retry is net/http's rule: a request that never reached a connection the server had
// closed while it was idle, or, on a connection that was reused and closed before it
// carried any byte of the answer, a request that can be sent again.
func (c *workerClient) retry(req *fasthttp.Request, _ int, err error) (resetTimeout, retry bool) {
	reused, nothingRead := !c.fresh, c.ex.in.Load() == c.readAt
	c.fresh, c.readAt = false, c.ex.in.Load()
	if errors.Is(err, errClosedIdle) {
		return false, true
	}
	// Bodies are in memory, as a body net/http can get again (GetBody) is: the method or
	// the idempotency key decides, as in net/http's Request.isReplayable.
	replayable := req.Header.IsGet() || req.Header.IsHead() || req.Header.IsOptions() || req.Header.IsTrace() ||
		req.Header.Peek("Idempotency-Key") != nil || req.Header.Peek("X-Idempotency-Key") != nil
	return false, reused && nothingRead && replayable && !isTimeout(err)
}

// do sends tgt (whose URL parsed as u) and describes the answer in res: code, error
// text for a code below 200 or from 400 on, bytes on the wire both ways, latency to
// the last byte, headers (with the unit's tag, which never goes on the wire).
func (c *workerClient) do(u *url.URL, tgt *vegeta.Target, res *vegeta.Result) {
	fail := func(err error) {
		err = &url.Error{Op: urlOp(tgt.Method), URL: tgt.URL, Err: err} // as Client.Do says it
		res.Error, res.Latency = err.Error(), time.Since(res.Timestamp)
	}
	hc, err := c.host(u)
	if err != nil {
		fail(err)
		return
	}
	req := &c.req
	req.Reset()
	req.Header.SetNoDefaultContentType(true)
	req.SetRequestURI(tgt.URL)
	req.Header.SetMethod(tgt.Method)
	unit := ""
	for k, vs := range tgt.Header {
		switch k {
		case unitKey:
			if len(vs) == 1 {
				unit = vs[0]
			}
			continue
		case "Host": // as net/http: the URL's host, or the proxy's name below
			continue
		}
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if name, ok := c.reach.Names[u.Host]; ok {
		req.UseHostHeader = true
		req.Header.SetHost(name)
	}
	if len(tgt.Body) > 0 {
		req.SetBodyRaw(tgt.Body)
		res.BytesOut = uint64(len(tgt.Body))
	}
	c.ex.in.Store(0)
	c.ex.out.Store(0)
	c.fresh, c.readAt = false, 0
	c.seq++
	if c.timeout > 0 {
		err = hc.DoDeadline(req, &c.resp, res.Timestamp.Add(c.timeout))
	} else {
		err = hc.Do(req, &c.resp)
	}
	if err != nil {
		fail(clientError(err))
		return
	}
	if body := c.resp.BodyStream(); body != nil {
		_, err = io.CopyBuffer(io.Discard, body, c.drain[:])
		if cerr := c.resp.CloseBodyStream(); err == nil {
			err = cerr
		}
	}
	res.Latency = time.Since(res.Timestamp)
	res.BytesIn, res.BytesOut = uint64(c.ex.in.Load()), uint64(c.ex.out.Load())
	if err != nil { // cut off mid-answer, or the deadline passed while reading it
		if c.timeout > 0 && !time.Now().Before(res.Timestamp.Add(c.timeout)) {
			err = errBodyTimeout // whatever fasthttp was parsing when the deadline came
		}
		fail(clientError(err))
		return
	}
	res.Code = uint16(c.resp.StatusCode())
	clear(c.headers)
	for k, v := range c.resp.Header.All() {
		key := string(k)
		c.headers[key] = append(c.headers[key], string(v))
	}
	if unit != "" {
		c.headers[unitKey] = []string{unit}
	}
	res.Headers = c.headers
	if res.Code < 200 || res.Code >= 400 {
		msg := c.resp.Header.StatusMessage()
		if len(msg) == 0 {
			msg = []byte(fasthttp.StatusMessage(int(res.Code)))
		}
		res.Error = strconv.Itoa(int(res.Code)) + " " + string(msg)
	}
}

// maxAnswerHeaders bounds an answer's status line and headers (a worker's read buffer).
const maxAnswerHeaders = 64 << 10

var errHeadersTooLarge = fmt.Errorf("the answer's headers are over %d KiB, the most the load reads", maxAnswerHeaders>>10)

// clientError is err as net/http's client says it, where fasthttp says it otherwise.
func clientError(err error) error {
	var small *fasthttp.ErrSmallBuffer
	switch {
	case errors.As(err, &small):
		return errHeadersTooLarge
	case isTimeout(err):
		return errClientTimeout
	case errors.Is(err, fasthttp.ErrConnectionClosed):
		return io.EOF
	}
	return err
}

var errClientTimeout = errors.New("context deadline exceeded (Client.Timeout exceeded while awaiting headers)")

// errBodyTimeout is net/http's word for a deadline that came while the body was read.
var errBodyTimeout = errors.New("net/http: request canceled (Client.Timeout or context cancellation while reading body)")

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.Is(err, fasthttp.ErrTimeout) || errors.Is(err, fasthttp.ErrDialTimeout) || errors.As(err, &t) && t.Timeout()
}

// workerConn is a worker's connection. Before a request goes out on a connection that
// carried one before, it checks that the server has not closed it in the meantime:
// net/http's transport learns that from the read it keeps pending on every idle
// connection, and sends the request on another connection instead of failing it; a
// request the server never saw is sent again, whatever its method.
type workerConn struct {
	net.Conn // counted (bytes.go)
	c        *workerClient
	tcp      net.Conn // the socket under TLS and the counting, to peek at
	wrote    uint64   // the exchange it last wrote for; 0 before its first
}

// errClosedIdle says the server closed a connection while it was idle.
var errClosedIdle = errors.New("http: server closed idle connection")

func (w *workerConn) Write(p []byte) (int, error) {
	// The first write of each exchange on this connection — also when the exchange is
	// a retry that dialled it — so every connection that carried one is peeked at
	// before its next.
	if w.wrote != w.c.seq {
		used := w.wrote != 0
		w.wrote = w.c.seq
		if used && peerClosed(w.tcp) {
			return 0, errClosedIdle
		}
	}
	return w.Conn.Write(p)
}
