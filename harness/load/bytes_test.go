package load

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// rawServer answers every request on a keep-alive connection with exactly answer.
func rawServer(t *testing.T, answer string) (addr string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					req, err := http.ReadRequest(r)
					if err != nil {
						return
					}
					_, _ = io.Copy(io.Discard, req.Body)
					if _, err := io.WriteString(c, answer); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// exchangesOnOneConnection follow one another on a keep-alive connection.
var exchangesOnOneConnection = []struct {
	name, method string
	upload       int
}{
	{"a read", http.MethodGet, 0},
	{"an upload", http.MethodPost, 64 << 10},
	{"another read on the same connection", http.MethodGet, 0},
}

// Every exchange is counted whole and once, headers included, on a connection that
// carries one after another: the answer's exact bytes in, and out at least the body
// plus a request line and headers.
func TestWireBytesCountEachExchangeWhole(t *testing.T) {
	body := strings.Repeat("x", 10_000)
	answer := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	addr := rawServer(t, answer)
	client := NewClient(5 * time.Second)
	for _, tt := range exchangesOnOneConnection {
		t.Run(tt.name, func(t *testing.T) {
			var sent *vegeta.Result
			sink := wireSink{SinkFuncs{OnSent: func(_ int, res *vegeta.Result, _ time.Time) { sent = res }}}
			req, err := http.NewRequest(tt.method, "http://"+addr+"/x", strings.NewReader(strings.Repeat("s", tt.upload)))
			require.NoError(t, err)
			resp, err := client.Do(req)
			require.NoError(t, err)
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			sink.Sent(0, &vegeta.Result{Headers: resp.Header, Code: 200}, time.Now())
			require.NotNil(t, sent)
			assert.Equal(t, uint64(len(answer)), sent.BytesIn, "the answer's status line, headers and body, exactly")
			assert.Greater(t, sent.BytesOut, uint64(tt.upload), "the body and the request's headers")
			assert.Less(t, sent.BytesOut, uint64(tt.upload+400), "and nothing of another exchange")
			assert.Empty(t, sent.Headers[wireKey], "the counts leave the headers once read")
		})
	}
	// A result without counts (a transport error) keeps what it had.
	res := &vegeta.Result{BytesOut: 7}
	wireSink{SinkFuncs{}}.Sent(0, res, time.Now())
	assert.Equal(t, uint64(7), res.BytesOut)
}
