// Command target is the trivial HTTP server the generator benchmarks share: every tool
// hits the same loopback target at the same moment, so their figures compare as ratios.
package main

import (
	"flag"
	"log"
	"net/http"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:18080", "address to serve on")
	flag.Parse()
	ok := []byte("ok\n")
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(ok)
	})))
}
