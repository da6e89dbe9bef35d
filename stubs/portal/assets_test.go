package portal

import (
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The page is served, without a token, as one body of the stated page weight, cacheable;
// a HEAD sends its headers only.
func TestThePageIsServedAtItsWeight(t *testing.T) {
	w := newWorld(t, nil)
	assert.Equal(t, PageHTMLBytes+PageJSBytes+PageCSSBytes+PageFontBytes, PageBytes, "the page is its assets")
	tests := []struct {
		method string
		body   int
	}{{http.MethodGet, PageBytes}, {http.MethodHead, 0}}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, w.url+PagePath, nil)
			require.NoError(t, err)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Len(t, body, tt.body)
			assert.Equal(t, strconv.Itoa(PageBytes), resp.Header.Get("Content-Length"))
			assert.Contains(t, resp.Header.Get("Cache-Control"), "max-age=")
		})
	}
}
