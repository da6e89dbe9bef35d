package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/thongsuot/thongsuot/stubs/credential"
	"github.com/thongsuot/thongsuot/stubs/province"
)

// newStubProvinceCmd is `thongsuot stub province`: the 34 provincial case-handling
// systems, one knob each, that the portal hands stored dossiers to.
func newStubProvinceCmd() *cobra.Command {
	var f stubFlags
	var cfg province.Config
	var knobArgs []string
	var configFile string
	cmd := &cobra.Command{
		Use:   "province",
		Short: "The 34 provincial case-handling (TTHC) systems: POST /<province>/v1/dossiers, one knob per province",
		Example: `  thongsuot stub province --listen 127.0.0.1:8083 --knob 79.latency_median=2s
  curl -H "Authorization: Bearer $ADMIN" 127.0.0.1:8083/admin/v1/received`,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serveStub(cmd, f.listen, "province", 0, func(context.Context) (stubHandler, error) {
				cfg.AdminToken = orEnv(cfg.AdminToken, credential.AdminTokenEnv)
				cfg.ClientToken = orEnv(cfg.ClientToken, credential.RegistryTokenEnv)
				if cfg.AdminToken == "" && !cfg.NoAuth {
					cfg.AdminToken = credential.NewSecret()
					fmt.Fprintf(cmd.OutOrStdout(), "admin token (Bearer on /admin/): %s\n", cfg.AdminToken)
				}
				if cfg.ClientToken == "" && !cfg.NoAuth {
					cfg.ClientToken = credential.NewSecret()
					fmt.Fprintf(cmd.OutOrStdout(), "client token (Bearer on the provinces' routes; the portal's --registry-token): %s\n", cfg.ClientToken)
				}
				s, err := province.New(cfg)
				if err != nil {
					return nil, err
				}
				return s, applyKnobs(s.Knobs(), configFile, knobArgs)
			})
		},
	}
	f.add(cmd, "127.0.0.1:8083")
	fl := cmd.Flags()
	fl.StringArrayVar(&knobArgs, "knob", nil, "knob setting code.field=value, e.g. 79.latency_median=2s, 01.capacity=8, *.error_rate=0.01 (repeatable)")
	fl.StringVar(&configFile, "config", "", "JSON file of knob settings by province code (the shape GET /admin/v1/knobs returns)")
	fl.StringVar(&cfg.AdminToken, "admin-token", "", "bearer token /admin/ requires (default $"+credential.AdminTokenEnv+", else random and printed)")
	fl.StringVar(&cfg.ClientToken, "client-token", "", "bearer token the provinces' routes require: the portal's (default $"+credential.RegistryTokenEnv+", else random and printed)")
	fl.BoolVar(&cfg.NoAuth, "no-auth", false, "INSECURE, for poking by hand: serve /admin/ and the provinces without a credential")
	return cmd
}
