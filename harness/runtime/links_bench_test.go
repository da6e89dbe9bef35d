package runtime

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// BenchmarkLinkHops is what each toxiproxy hop costs a request: the portal's readyz
// straight, through client->portal, and through a tier link in front of it (no toxics).
func BenchmarkLinkHops(b *testing.B) {
	st, err := Embedded{}.Up(context.Background(), Options{Seed: 1, Citizens: 100, TokenTTL: time.Hour, DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	front := st.Proxies["client->portal"]
	for _, bc := range []struct{ name, url string }{
		{"direct", "http://" + front.Upstream},
		{"client->portal", st.Portal},
		{"urban->portal->client->portal", st.Tiers["urban"]},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
			for b.Loop() {
				resp, err := c.Get(bc.url + "/readyz")
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
			}
		})
	}
}
