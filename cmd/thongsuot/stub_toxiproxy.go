package main

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/thongsuot/thongsuot/harness/runtime"
	"github.com/thongsuot/thongsuot/harness/slo"
)

// newStubToxiproxyCmd is `thongsuot stub toxiproxy`: toxiproxy's server built into
// this binary, so the custom toxics registered here (shared bandwidth per link tier)
// are available in containers too.
func newStubToxiproxyCmd() *cobra.Command {
	var (
		listen  string
		proxies []string
	)
	cmd := &cobra.Command{
		Use:   "toxiproxy",
		Short: "toxiproxy server with thongsuot's custom toxics (API on --listen)",
		Example: `  thongsuot stub toxiproxy --listen 0.0.0.0:8474
  thongsuot stub toxiproxy --proxy portal_to_registry=0.0.0.0:21000=registry:8080
  curl -s localhost:8474/version`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tp, err := runtime.StartToxiproxy(listen)
			if err != nil {
				return err
			}
			for _, spec := range proxies {
				name, rest, ok1 := strings.Cut(spec, "=")
				listenAddr, upstream, ok2 := strings.Cut(rest, "=")
				if !ok1 || !ok2 {
					tp.Close()
					return &exitError{code: slo.ExitError, err: fmt.Errorf("--proxy %q: want NAME=LISTEN=UPSTREAM", spec)}
				}
				if _, err := tp.Client.CreateProxy(name, listenAddr, upstream); err != nil {
					tp.Close()
					return fmt.Errorf("--proxy %s: %w", spec, err)
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "thongsuot stub toxiproxy API listening on http://%s\n", tp.Addr)
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
			<-sig
			return tp.Close()
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8474", "address of the toxiproxy HTTP API")
	cmd.Flags().StringArrayVar(&proxies, "proxy", nil, "proxy to create at start, NAME=LISTEN=UPSTREAM (repeatable)")
	return cmd
}
