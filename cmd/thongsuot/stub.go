package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/thongsuot/thongsuot/harness/runtime"
	"github.com/thongsuot/thongsuot/scenarios"
	"github.com/thongsuot/thongsuot/stubs/census"
	"github.com/thongsuot/thongsuot/stubs/credential"
	"github.com/thongsuot/thongsuot/stubs/identity"
	"github.com/thongsuot/thongsuot/stubs/knobs"
	"github.com/thongsuot/thongsuot/stubs/portal"
	"github.com/thongsuot/thongsuot/stubs/registry"
)

// newStubCmd is `thongsuot stub portal|identity|registry`: one stub as a server,
// for the containers runtime and for running the reference system by hand.
func newStubCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stub",
		Short: "Run one of the reference stubs (portal, identity, registry) as a server",
	}
	cmd.AddCommand(newStubPortalCmd(), newStubIdentityCmd(), newStubRegistryCmd(), newStubProvinceCmd(), newStubToxiproxyCmd())
	return cmd
}

// stubFlags are the flags every stub takes.
type stubFlags struct {
	listen   string
	seed     int64
	citizens int
}

func (f *stubFlags) add(cmd *cobra.Command, listen string) {
	cmd.Flags().StringVar(&f.listen, "listen", listen, "address to listen on (port 0 picks a free port; the address is printed)")
	cmd.Flags().Int64Var(&f.seed, "seed", 1, "seed of the synthetic population (identity and registry must agree)")
	cmd.Flags().IntVar(&f.citizens, "citizens", 100_000, "number of synthetic citizens (identity and registry must agree)")
}

// stubHandler is what every stub is: a handler that owns resources.
type stubHandler interface {
	http.Handler
	Close() error
}

func newStubPortalCmd() *cobra.Command {
	var f stubFlags
	cfg := portal.Config{}
	var timeouts map[string]string
	cmd := &cobra.Command{
		Use:          "portal",
		Short:        "Reference National Public Service Portal",
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			contract := map[string]string{"identity": scenarios.EnvIdentityURL, "registry": scenarios.EnvRegistryURL,
				"issuer": scenarios.EnvIssuer, "audience": scenarios.EnvAudience}
			if err := fromContract(cmd, contract); err != nil {
				return err
			}
			if !cmd.Flags().Changed("registry-url") {
				for _, r := range scenarios.Registries {
					if u := os.Getenv(scenarios.RegistryURLEnv(r)); u != "" {
						cfg.Registries = mergeURL(cfg.Registries, r, u)
					}
				}
			}
			cfg.Logger = stubLogger(cmd.ErrOrStderr())
			cfg.RegistryToken = orEnv(cfg.RegistryToken, credential.RegistryTokenEnv)
			if cfg.RegistryToken == "" {
				cfg.Logger.Warn("no --registry-token: the registries refuse the portal unless started with --no-auth")
			}
			cfg.RegistryTimeouts = map[string]time.Duration{}
			for name, v := range timeouts {
				d, err := time.ParseDuration(v)
				if err != nil {
					return fmt.Errorf("--registry-timeouts %s=%s: %w", name, v, err)
				}
				cfg.RegistryTimeouts[name] = d
			}
			return serveStub(cmd, f.listen, "portal", int64(cfg.MaxHeaderBytes), func(ctx context.Context) (stubHandler, error) {
				return portal.New(ctx, cfg)
			})
		},
	}
	f.add(cmd, "127.0.0.1:8080") // --seed and --citizens are accepted for symmetry; the portal has no census
	fl := cmd.Flags()
	fl.StringVar(&cfg.DataDir, "data", "data/portal", "directory of the dossier store (SQLite)")
	fl.StringVar(&cfg.IdentityURL, "identity", "http://127.0.0.1:8081", "base URL of the identity provider (JWKS is fetched from here)")
	fl.StringVar(&cfg.RegistryURL, "registry", "http://127.0.0.1:8082", "base URL of the registry server")
	fl.StringToStringVar(&cfg.Registries, "registry-url", nil, "base URL of one registry overriding --registry, e.g. population=http://127.0.0.1:21001 (repeatable)")
	fl.StringToStringVar(&cfg.Provinces, "province-url", nil, "base URL of one province's case-handling system, which stored dossiers are handed to, e.g. 79=http://127.0.0.1:8083 (repeatable)")
	fl.StringVar(&cfg.Issuer, "issuer", identity.DefaultIssuer, "expected token issuer")
	fl.StringVar(&cfg.Audience, "audience", identity.DefaultAudience, "expected token audience")
	fl.BoolVar(&cfg.Naive, "naive", false, "remove the protections: no timeouts, breakers, bulkheads or shedding; registry calls inline")
	fl.DurationVar(&cfg.RegistryTimeout, "registry-timeout", 2*time.Second, "timeout of one registry call")
	fl.StringToStringVar(&timeouts, "registry-timeouts", nil, "per-registry timeouts overriding --registry-timeout, e.g. population=500ms,land=5s")
	fl.IntVar(&cfg.RegistryConcurrent, "registry-concurrency", 64, "bulkhead: concurrent calls per registry")
	fl.DurationVar(&cfg.BreakerCooldown, "breaker-cooldown", 5*time.Second, "how long a tripped circuit breaker stays open")
	fl.IntVar(&cfg.GroupCommitBatch, "group-commit", 256, "most writes per transaction; 1 turns group commit off")
	fl.IntVar(&cfg.ReadInFlight, "read-inflight", 256, "admission control: concurrent reads")
	fl.IntVar(&cfg.WriteInFlight, "write-inflight", 512, "admission control: concurrent writes")
	fl.DurationVar(&cfg.AdmissionWait, "admission-wait", 50*time.Millisecond, "admission control: longest wait for a slot before shedding with 503")
	fl.DurationVar(&cfg.ApplicantCacheTTL, "applicant-cache", 0, "reuse a positive population-registry check of an applicant for this long (0: check every submission)")
	fl.Int64Var(&cfg.MaxBodyBytes, "max-body", 64<<10, "largest JSON request body in bytes")
	fl.Int64Var(&cfg.MaxAttachmentBytes, "max-attachment", 5<<20, "largest attachment in bytes")
	fl.IntVar(&cfg.MaxHeaderBytes, "max-header", 16<<10, "largest request headers in bytes")
	fl.DurationVar(&cfg.BodyTimeout, "body-timeout", 10*time.Second, "longest time to receive a JSON request body (408 after)")
	fl.DurationVar(&cfg.AttachmentTimeout, "attachment-timeout", time.Minute, "longest time to receive an attachment (408 after)")
	fl.IntVar(&cfg.CallerInFlight, "caller-inflight", 64, "quota: requests in progress per authenticated caller (429 beyond; off with --naive)")
	fl.IntVar(&cfg.MaxDossierAttachments, "dossier-attachments", 20, "quota: attachments per dossier (413 beyond)")
	fl.Int64Var(&cfg.MaxDossierAttachmentBytes, "dossier-attachment-bytes", 25<<20, "quota: attachment bytes per dossier (413 beyond)")
	fl.Int64Var(&cfg.MaxCitizenAttachmentBytes, "citizen-attachment-bytes", 200<<20, "quota: attachment bytes per citizen over all their dossiers (413 beyond)")
	fl.StringVar(&cfg.RegistryToken, "registry-token", "", "bearer token the portal presents to the registries (default $"+credential.RegistryTokenEnv+")")
	return cmd
}

func newStubIdentityCmd() *cobra.Command {
	var f stubFlags
	var cfg identity.Config
	var knobArgs []string
	cmd := &cobra.Command{
		Use:          "identity",
		Short:        "VNeID-like identity provider (ES256 tokens, JWKS)",
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := fromContract(cmd, map[string]string{"issuer": scenarios.EnvIssuer, "audience": scenarios.EnvAudience,
				"seed": scenarios.EnvSeed, "citizens": scenarios.EnvCitizens}); err != nil {
				return err
			}
			return serveStub(cmd, f.listen, "identity", 0, func(context.Context) (stubHandler, error) {
				cfg.Census = census.New(f.seed, f.citizens)
				cfg.AdminToken = orEnv(cfg.AdminToken, credential.AdminTokenEnv)
				given := cfg.AdminToken != ""
				s, err := identity.New(cfg)
				if err != nil {
					return nil, err
				}
				if !given { // made up: say it, or nobody can use the admin API or the harness client
					fmt.Fprintf(cmd.OutOrStdout(), "admin token (Bearer on /admin/, secret of the %s client): %s\n", identity.HarnessClient, s.AdminToken())
				}
				// Logins to try by hand (and for bench/portal): any non-empty password.
				if cfg.Census.Len() > 0 {
					fmt.Fprintf(cmd.OutOrStdout(), "example citizen (level %d): %s; official: %s; service client: thongsuot-harness\n",
						cfg.Census.Citizen(0).Level, cfg.Census.Citizen(0).PersonalID, identity.OfficialUsername("00004", 1))
				}
				return s, applyKnobs(s.Knobs(), "", knobArgs)
			})
		},
	}
	f.add(cmd, "127.0.0.1:8081")
	fl := cmd.Flags()
	fl.StringVar(&cfg.Issuer, "issuer", identity.DefaultIssuer, "issuer (iss) of the tokens")
	fl.StringVar(&cfg.Audience, "audience", identity.DefaultAudience, "audience (aud) of the tokens")
	fl.DurationVar(&cfg.TokenTTL, "token-ttl", identity.DefaultTokenTTL, "token lifetime")
	fl.BoolVar(&cfg.CheckPasswords, "check-passwords", false, "require each citizen's generated password instead of any non-empty one")
	fl.StringArrayVar(&knobArgs, "knob", nil, "knob of the token endpoint, e.g. identity.latency=200ms (repeatable)")
	fl.StringVar(&cfg.AdminToken, "admin-token", "", "bearer token /admin/ requires, also the thongsuot-harness client's secret (default $"+credential.AdminTokenEnv+", else random and printed)")
	fl.BoolVar(&cfg.NoAuth, "no-auth", false, "INSECURE, for poking by hand: serve /admin/ without a credential")
	return cmd
}

func newStubRegistryCmd() *cobra.Command {
	var f stubFlags
	var cfg registry.Config
	var knobArgs []string
	var configFile string
	cmd := &cobra.Command{
		Use:          "registry",
		Short:        "National registries (population, civil status, residence, insurance, business, land, tax, judicial records)",
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := fromContract(cmd, map[string]string{"seed": scenarios.EnvSeed, "citizens": scenarios.EnvCitizens}); err != nil {
				return err
			}
			return serveStub(cmd, f.listen, "registry", 0, func(context.Context) (stubHandler, error) {
				cfg.Census = census.New(f.seed, f.citizens)
				cfg.AdminToken = orEnv(cfg.AdminToken, credential.AdminTokenEnv)
				cfg.ClientToken = orEnv(cfg.ClientToken, credential.RegistryTokenEnv)
				adminGiven, clientGiven := cfg.AdminToken != "", cfg.ClientToken != ""
				s, err := registry.New(cfg)
				if err != nil {
					return nil, err
				}
				// Made-up secrets are printed, or nobody could use them.
				if !adminGiven && !cfg.NoAuth {
					fmt.Fprintf(cmd.OutOrStdout(), "admin token (Bearer on /admin/): %s\n", s.AdminToken())
				}
				if !clientGiven && !cfg.NoAuth {
					fmt.Fprintf(cmd.OutOrStdout(), "client token (Bearer on the registries' routes; the portal's --registry-token): %s\n", s.ClientToken())
				}
				return s, applyKnobs(s.Knobs(), configFile, knobArgs)
			})
		},
	}
	f.add(cmd, "127.0.0.1:8082")
	fl := cmd.Flags()
	fl.StringArrayVar(&knobArgs, "knob", nil, "knob setting name.field=value, e.g. population.latency=50ms, population.capacity=32, *.error_rate=0.01 (repeatable)")
	fl.StringVar(&configFile, "config", "", "JSON file of knob settings by registry (the shape GET /admin/v1/knobs returns)")
	fl.StringVar(&cfg.AdminToken, "admin-token", "", "bearer token /admin/ requires (default $"+credential.AdminTokenEnv+", else random and printed)")
	fl.StringVar(&cfg.ClientToken, "client-token", "", "bearer token the registries' routes require: the portal's (default $"+credential.RegistryTokenEnv+", else random and printed)")
	fl.BoolVar(&cfg.NoAuth, "no-auth", false, "INSECURE, for poking by hand: serve /admin/ and personal records without a credential")
	return cmd
}

// fromContract gives each flag not on the command line the value of its variable of
// the environment contract (scenarios.Env…), and --listen the contract's port: the
// reference image then runs as an image role (sut.portal.image) with no command.
func fromContract(cmd *cobra.Command, flags map[string]string) error {
	if port := os.Getenv(scenarios.EnvPort); port != "" {
		flags["listen"] = scenarios.EnvPort
	}
	for flag, env := range flags {
		v := os.Getenv(env)
		if v == "" || cmd.Flags().Changed(flag) {
			continue
		}
		if flag == "listen" {
			v = "0.0.0.0:" + v
		}
		if err := cmd.Flags().Set(flag, v); err != nil {
			return fmt.Errorf("$%s: %w", env, err)
		}
	}
	return nil
}

func mergeURL(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

// orEnv is flag, or the environment variable env when the flag is not given: the
// containers runtime passes secrets in the environment, not on command lines.
func orEnv(flag, env string) string {
	if flag != "" {
		return flag
	}
	return os.Getenv(env)
}

// applyKnobs loads a knob config file, then the --knob assignments over it.
func applyKnobs(b *knobs.Board, file string, assignments []string) error {
	if file != "" {
		fh, err := os.Open(file)
		if err != nil {
			return fmt.Errorf("knob config: %w", err)
		}
		defer fh.Close()
		if err := b.Load(fh); err != nil {
			return fmt.Errorf("knob config %s: %w", file, err)
		}
	}
	for _, a := range assignments {
		if err := b.Assign(a); err != nil {
			return err
		}
	}
	return nil
}

func stubLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// serveStub builds the handler, listens, prints the address, and serves until
// SIGINT or SIGTERM, then drains requests for up to 10 s and closes the handler.
func serveStub(cmd *cobra.Command, addr, name string, maxHeader int64, build func(context.Context) (stubHandler, error)) error {
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	h, err := build(ctx)
	if err != nil {
		return fmt.Errorf("stub %s: %w", name, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		_ = h.Close()
		return fmt.Errorf("stub %s: listen: %w", name, err)
	}
	if maxHeader <= 0 {
		maxHeader = 16 << 10
	}
	srv := runtime.NewHTTPServer(h)
	srv.MaxHeaderBytes = int(maxHeader)
	fmt.Fprintf(cmd.OutOrStdout(), "thongsuot stub %s listening on http://%s\n", name, ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err = <-errc:
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = srv.Shutdown(shutdown)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return errors.Join(err, h.Close())
}
