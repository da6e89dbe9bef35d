package main

import (
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/thongsuot/thongsuot/harness"
	"github.com/thongsuot/thongsuot/harness/runtime"
	"github.com/thongsuot/thongsuot/harness/slo"
	"github.com/thongsuot/thongsuot/scenarios"
)

func newUpCmd() *cobra.Command {
	var (
		opts     runtime.Options
		citizens int
		sut      sutFlags
	)
	cmd := &cobra.Command{
		Use:   "up [SCENARIO]",
		Short: "Bring the system under test up as runs see it, and keep it up until Ctrl-C",
		Long: `Up brings the system under test up on a runtime as a run of SCENARIO would — its
sut: section, its link tiers with their standing toxics on — or, without SCENARIO, the
reference portal, identity provider and registries with the default tiers. It prints
where everything is (every link's proxy and every role, reachable from this machine on
both runtimes), commands to try, and waits. Poke it by hand (curl, a browser, the
toxiproxy API), or point an external tool at it. Ctrl-C tears it all down.

With --runtime containers each role runs in its own container on a private network
(the image is built from this binary once, FROM scratch); services reach each other
only through toxiproxy, so every link can be broken from the toxiproxy API.

` + sutHelp,
		Example: `  thongsuot up                                   # the reference system, in this process
  thongsuot up --runtime containers              # each role in its own container
  thongsuot up july1-gate --portal naive         # as a run of july1-gate against the naive portal
  thongsuot up smoke --portal image=npsp/portal:1.4.2 --receipts /admin/v1/receipts`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s := &scenarios.Scenario{Tiers: scenarios.DefaultTiers}
			if len(args) == 1 {
				var err error
				if s, err = scenarios.Open(args[0]); err != nil {
					return &exitError{code: slo.ExitError, err: err}
				}
			}
			if err := sut.apply(cmd, s); err != nil {
				return err
			}
			rtName := s.Runtime(sut.runtime)
			r, err := runtime.New(rtName, cmd.ErrOrStderr())
			if err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			opts.Citizens, opts.SUT, opts.Tiers = citizens, s.SUT, s.Tiers
			if len(args) == 1 { // the tier links' caps as the scenario's run has them (units × compress × scale)
				opts.Tiers = harness.LinkTiers(s)
			}
			if s.File != "" {
				opts.BaseDir = filepath.Dir(s.File)
			}
			start := time.Now()
			st, err := r.Up(cmd.Context(), opts)
			if err != nil {
				return &exitError{code: slo.ExitError, err: err}
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s runtime up in %s: the system as runs see it\n", st.Runtime, time.Since(start).Round(time.Millisecond))
			describeStack(out, st)
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
	sut.add(cmd)
	fl.Int64Var(&opts.Seed, "seed", 1, "seed of the synthetic population")
	fl.IntVar(&citizens, "citizens", 10_000, "number of synthetic citizens")
	fl.DurationVar(&opts.TokenTTL, "token-ttl", 12*time.Hour, "identity token lifetime")
	fl.StringVar(&opts.DataDir, "data", "", "portal data directory for the embedded runtime (default: temporary)")
	return cmd
}

// describeStack prints the stack as a run sees it: what each role is, where the load
// goes, every link with its standing toxics, the roles without a proxy, the credentials,
// and commands to try with the real addresses.
func describeStack(out io.Writer, st *runtime.Stack) {
	sys := st.Describe(version)
	fmt.Fprintln(out, "system under test")
	for _, role := range slices.Sorted(maps.Keys(sys)) {
		fmt.Fprintf(out, "  %-22s %s\n", role, sys[role])
	}
	fmt.Fprintln(out, "where the load goes (through the client links)")
	fmt.Fprintf(out, "  %-26s %s\n", "portal (client->portal)", st.Portal)
	fmt.Fprintf(out, "  %-26s %s\n", "identity", st.Identity)
	for _, t := range scenarios.Tiers {
		fmt.Fprintf(out, "  %-26s %s\n", t+" users", st.Tiers[t])
	}
	fmt.Fprintln(out, "links: a toxiproxy proxy each, at this machine's address")
	names := slices.Sorted(maps.Keys(st.Proxies))
	for _, name := range names {
		p := st.Proxies[name]
		standing := ""
		if toxics, err := p.Toxics(); err == nil && len(toxics) > 0 {
			var ts []string
			for _, tx := range toxics {
				if tx.Type == "meter" { // counts bytes, changes nothing: not a condition
					continue
				}
				ts = append(ts, fmt.Sprintf("%s %s %v", tx.Type, tx.Stream, compact(tx.Attributes)))
			}
			sort.Strings(ts)
			if len(ts) > 0 {
				standing = "  standing: " + strings.Join(ts, "; ")
			}
		}
		fmt.Fprintf(out, "  %-34s %-21s proxy %s%s\n", name, st.Links[name], p.Name, standing)
	}
	fmt.Fprintln(out, "roles, without a proxy (for poking by hand)")
	for _, role := range slices.Sorted(maps.Keys(st.Direct)) {
		fmt.Fprintf(out, "  %-22s %s\n", role, st.Direct[role])
	}
	fmt.Fprintf(out, "toxiproxy API  http://%s\n", st.ToxiproxyAPI)
	fmt.Fprintf(out, "admin token    %s   (Bearer on /admin/ of the reference identity and registry; the thongsuot-harness client's secret)\n", st.AdminToken)
	var users []string
	for i := 0; len(users) < 3; i++ {
		if c := st.Citizen(i); c.Level >= 2 {
			users = append(users, c.PersonalID)
		}
	}
	fmt.Fprintf(out, "citizens       %s   (level 2; the reference identity takes any password)\n", strings.Join(users, ", "))
	fmt.Fprintln(out, "try")
	fmt.Fprintf(out, "  curl -s '%s/api/v1/procedures?q=khai+sinh'\n", strings.TrimSuffix(st.Portal, "/"))
	fmt.Fprintf(out, "  TOKEN=$(curl -s -d grant_type=password -d username=%s -d password=x -d client_id=npsp %s/oauth2/token | sed 's/.*\"access_token\":\"\\([^\"]*\\)\".*/\\1/')\n", users[0], strings.TrimSuffix(st.Identity, "/"))
	fmt.Fprintf(out, "  curl -s -H \"Authorization: Bearer $TOKEN\" %s/api/v1/dossiers\n", strings.TrimSuffix(st.Portal, "/"))
	if p, ok := st.Proxies["portal->registry"]; ok {
		fmt.Fprintf(out, "  curl -s -XPOST http://%s/proxies/%s/toxics -d '{\"type\":\"latency\",\"attributes\":{\"latency\":500}}'   # every registry 500 ms slower\n", st.ToxiproxyAPI, p.Name)
		fmt.Fprintf(out, "  curl -s -XDELETE http://%s/proxies/%s/toxics/latency_downstream                             # and back\n", st.ToxiproxyAPI, p.Name)
	}
	if reg, ok := st.Direct["registry"]; ok {
		fmt.Fprintf(out, "  curl -s -H 'Authorization: Bearer %s' %s/admin/v1/knobs   # the registries' knobs\n", st.AdminToken, reg)
	}
}

// compact writes toxic attributes without the zeros toxiproxy fills in.
func compact(attrs map[string]any) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		if v, ok := attrs[k].(float64); ok && v == 0 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s=%v", k, attrs[k]))
	}
	return "{" + strings.Join(parts, " ") + "}"
}
