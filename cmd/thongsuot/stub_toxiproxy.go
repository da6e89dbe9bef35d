package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/thongsuot/thongsuot/harness/runtime"
)

// newStubToxiproxyCmd is `thongsuot stub toxiproxy`: toxiproxy's server built into
// this binary, so the custom toxics registered here (shared bandwidth per link tier)
// are available in containers too.
func newStubToxiproxyCmd() *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "toxiproxy",
		Short: "toxiproxy server with thongsuot's custom toxics (API on --listen)",
		Example: `  thongsuot stub toxiproxy --listen 0.0.0.0:8474
  curl -s localhost:8474/version`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tp, err := runtime.StartToxiproxy(listen)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "thongsuot stub toxiproxy API listening on http://%s\n", tp.Addr)
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
			<-sig
			return tp.Close()
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8474", "address of the toxiproxy HTTP API")
	return cmd
}
