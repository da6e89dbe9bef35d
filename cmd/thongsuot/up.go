package main

import (
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/thongsuot/thongsuot/harness/runtime"
	"github.com/thongsuot/thongsuot/harness/slo"
)

func newUpCmd() *cobra.Command {
	var (
		rt       string
		opts     runtime.Options
		citizens int
	)
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Bring the system under test up and keep it up until Ctrl-C",
		Long: `Up brings the reference portal, identity provider, registries and toxiproxy up on a
runtime, prints where everything is, and waits. Poke it by hand (curl, a browser, the
toxiproxy CLI), or point an external tool at it. Ctrl-C tears it all down.

With --runtime containers each role runs in its own container on a private network
(the image is built from this binary once, FROM scratch); services reach each other
only through toxiproxy, so every link can be broken from the toxiproxy API.`,
		Example: `  thongsuot up --runtime containers
  curl -s $PORTAL/api/v1/procedures?q=khai+sinh
  curl -s -XPOST $TOXIPROXY/proxies/portal_to_registry/toxics -d '{"type":"latency","attributes":{"latency":500}}'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, err := runtime.New(rt, cmd.ErrOrStderr())
			if err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			opts.Citizens = citizens
			start := time.Now()
			st, err := r.Up(cmd.Context(), opts)
			if err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s runtime up in %s\n", st.Runtime, time.Since(start).Round(time.Millisecond))
			fmt.Fprintf(out, "  portal        %s   (through client->portal)\n", st.Portal)
			fmt.Fprintf(out, "  identity      %s   (through client->identity)\n", st.Identity)
			fmt.Fprintf(out, "  toxiproxy API http://%s\n", st.ToxiproxyAPI)
			fmt.Fprintf(out, "  admin token   %s   (Bearer on /admin/ of identity and the registry; thongsuot-harness client secret)\n", st.AdminToken)
			names := make([]string, 0, len(st.Proxies))
			for name := range st.Proxies {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				p := st.Proxies[name]
				fmt.Fprintf(out, "  link %-18s proxy %-22s listen %-20s upstream %s\n", name, p.Name, p.Listen, p.Upstream)
			}
			var users []string
			for i := 0; len(users) < 3; i++ {
				if c := st.Citizen(i); c.Level >= 2 {
					users = append(users, c.PersonalID)
				}
			}
			fmt.Fprintf(out, "  citizens (level 2, any password): %s\n", strings.Join(users, ", "))
			fmt.Fprintln(out, "Ctrl-C to tear down.")

			sig := make(chan os.Signal, 1)
			signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
			<-sig
			fmt.Fprintln(out, "tearing down")
			if err := st.Close(); err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&rt, "runtime", "embedded", "where to run: "+strings.Join(runtime.Names, ", "))
	fl.Int64Var(&opts.Seed, "seed", 1, "seed of the synthetic population")
	fl.IntVar(&citizens, "citizens", 10_000, "number of synthetic citizens")
	fl.DurationVar(&opts.TokenTTL, "token-ttl", 12*time.Hour, "identity token lifetime")
	fl.StringVar(&opts.DataDir, "data", "", "portal data directory for the embedded runtime (default: temporary)")
	fl.BoolVar(&opts.Naive, "naive", false, "the portal without its protections (no timeouts, breakers or shedding)")
	return cmd
}
