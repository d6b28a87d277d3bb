package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"

	"github.com/peterbourgon/ff/v3/ffcli"

	"github.com/vitrinehq/vitrine/internal/config"
)

// cli is one invocation's command tree. Every command has its own flag set, holding only the
// settings it reads (internal/config scopes them), with defaults from the environment; all
// flag sets write to help, which run prints when -h was asked for and drops otherwise, so a
// bad flag is reported once, by run's caller.
type cli struct {
	root     *ffcli.Command
	help     bytes.Buffer
	getenv   func(string) string
	stdin    io.Reader
	stdout   io.Writer
	onListen func(net.Addr)
}

func newCLI(getenv func(string) string, stdin io.Reader, stdout io.Writer, onListen func(net.Addr)) *cli {
	c := &cli{getenv: getenv, stdin: stdin, stdout: stdout, onListen: onListen}
	serveCmd := c.serve()
	c.root = &ffcli.Command{
		Name:       "vitrine",
		ShortUsage: "vitrine <command> [flags]",
		LongHelp: "Vitrine serves a product catalog as a GraphQL API. Without a command it runs serve.\n" +
			"Every setting is an environment variable; a flag of the same name overrides it.\n" +
			`Run "vitrine <command> -h" for the flags of a command.`,
		FlagSet:     c.flags("vitrine"),
		Subcommands: []*ffcli.Command{serveCmd, c.migrate(), c.seed(), c.user(), c.healthcheck(), c.documents(), c.schema()},
		Exec: func(ctx context.Context, args []string) error {
			switch {
			case len(args) == 0:
				return serveCmd.Exec(ctx, nil)
			case args[0] == "help":
				return flag.ErrHelp
			}
			return fmt.Errorf(`unknown command %q: run "vitrine -h" for the commands`, args[0])
		},
	}
	return c
}

// flags returns a command's flag set, writing to the help buffer.
func (c *cli) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(&c.help)
	return fs
}

func (c *cli) serve() *ffcli.Command {
	fs := c.flags("vitrine serve")
	check := config.Define(fs, c.getenv, config.ScopeServe)
	return &ffcli.Command{
		Name:       "serve",
		ShortUsage: "vitrine serve [flags]",
		ShortHelp:  "run the GraphQL server (migrates first unless VITRINE_AUTO_MIGRATE is off, as in production)",
		LongHelp: "Serves GraphQL on /graphql, the playground on /, /healthz and /readyz. Without DATABASE_URL it\n" +
			"uses the embedded store and, outside production, loads the demo catalog into it when empty.",
		FlagSet: fs,
		Exec: func(ctx context.Context, args []string) error {
			cfg, err := configFor(check, args)
			if err != nil {
				return err
			}
			return serve(ctx, cfg, c.getenv, c.stdout, c.onListen)
		},
	}
}

func (c *cli) migrate() *ffcli.Command {
	fs := c.flags("vitrine migrate")
	status := fs.Bool("status", false, "list the applied and pending schema migrations and change nothing")
	rebuild := fs.Bool("rebuild-aggregates", false, "recompute the rating/review counters and rollups from the rows (after a bulk load with triggers disabled)")
	check := config.Define(fs, c.getenv, config.ScopeStore)
	return &ffcli.Command{
		Name:       "migrate",
		ShortUsage: "vitrine migrate [-status] [-rebuild-aggregates] [flags]",
		ShortHelp:  "apply the pending schema migrations; -status lists applied and pending ones",
		FlagSet:    fs,
		Exec: func(ctx context.Context, args []string) error {
			cfg, err := configFor(check, args)
			if err != nil {
				return err
			}
			return migrate(ctx, cfg, *status, *rebuild, c.stdout)
		},
	}
}

func (c *cli) seed() *ffcli.Command {
	fs := c.flags("vitrine seed")
	check := config.Define(fs, c.getenv, config.ScopeStore)
	return &ffcli.Command{
		Name:       "seed",
		ShortUsage: "vitrine seed [flags]",
		ShortHelp:  "load the demo catalog into an empty database",
		FlagSet:    fs,
		Exec: func(ctx context.Context, args []string) error {
			cfg, err := configFor(check, args)
			if err != nil {
				return err
			}
			return seedCmd(ctx, cfg, c.stdout)
		},
	}
}

func (c *cli) user() *ffcli.Command {
	fs := c.flags("vitrine user create-admin")
	admin := adminFlags{
		email:     fs.String("email", "", "the admin's email (required)"),
		name:      fs.String("name", "Administrator", "display name"),
		fromStdin: fs.Bool("password-stdin", false, "read the password from standard input (required)"),
	}
	check := config.Define(fs, c.getenv, config.ScopeStore)
	const usage = "vitrine user create-admin --email E --password-stdin [--name N]"
	return &ffcli.Command{
		Name:       "user",
		ShortUsage: usage,
		ShortHelp:  "manage accounts: create-admin bootstraps an administrator (on either store)",
		FlagSet:    c.flags("vitrine user"),
		Subcommands: []*ffcli.Command{{
			Name:       "create-admin",
			ShortUsage: usage + " [flags]",
			ShortHelp:  "create an administrator; the password is read from standard input",
			FlagSet:    fs,
			Exec: func(ctx context.Context, args []string) error {
				cfg, err := configFor(check, args)
				if err != nil {
					return err
				}
				return createAdmin(ctx, cfg, admin, c.stdin, c.stdout)
			},
		}},
		Exec: needsSubcommand("user", usage),
	}
}

func (c *cli) healthcheck() *ffcli.Command {
	fs := c.flags("vitrine healthcheck")
	check := config.Define(fs, c.getenv, config.ScopeAddr)
	return &ffcli.Command{
		Name:       "healthcheck",
		ShortUsage: "vitrine healthcheck [-addr ADDR]",
		ShortHelp:  "exit 0 if the server on VITRINE_ADDR answers /healthz (for container health checks)",
		FlagSet:    fs,
		Exec: func(ctx context.Context, args []string) error {
			cfg, err := configFor(check, args)
			if err != nil {
				return err
			}
			return healthcheck(ctx, cfg, c.stdout)
		},
	}
}

func (c *cli) documents() *ffcli.Command {
	const usage = "vitrine documents hash PATH"
	return &ffcli.Command{
		Name:       "documents",
		ShortUsage: usage,
		ShortHelp:  "validate the .graphql documents under PATH and print their hashes as JSON (for VITRINE_TRUSTED_DOCUMENTS)",
		FlagSet:    c.flags("vitrine documents"),
		Subcommands: []*ffcli.Command{{
			Name:       "hash",
			ShortUsage: usage,
			ShortHelp:  "validate the documents under PATH (a .graphql file or a directory) and print their manifest",
			FlagSet:    c.flags("vitrine documents hash"),
			Exec: func(_ context.Context, args []string) error {
				if len(args) != 1 {
					return errors.New("documents hash needs one PATH: a .graphql file or a directory of them")
				}
				return documentsHash(args[0], c.stdout)
			},
		}},
		Exec: needsSubcommand("documents", usage),
	}
}

// run parses args and runs the command they select. -h and --help print the command's usage
// to stdout and succeed.
func (c *cli) run(ctx context.Context, args []string) error {
	err := c.root.Parse(args)
	if err == nil {
		err = c.root.Run(ctx)
	} else if !errors.Is(err, flag.ErrHelp) {
		// The flag package's own message, without ff's prefix and the usage it printed.
		if inner := errors.Unwrap(err); inner != nil {
			err = inner
		}
		name := parsed(c.root).FlagSet.Name()
		return fmt.Errorf("%w (run \"%s -h\" for its flags)", err, name)
	}
	if errors.Is(err, flag.ErrHelp) {
		_, err = c.stdout.Write(c.help.Bytes())
	}
	return err
}

// parsed returns the deepest command whose flags were parsed: the one a parse error is about.
func parsed(cmd *ffcli.Command) *ffcli.Command {
	for _, sub := range cmd.Subcommands {
		if sub.FlagSet != nil && sub.FlagSet.Parsed() {
			return parsed(sub)
		}
	}
	return cmd
}

// configFor checks a command's settings once its flags are parsed; none of the commands
// configured this way take positional arguments.
func configFor(check func() (config.Config, error), args []string) (config.Config, error) {
	if len(args) > 0 {
		return config.Config{}, fmt.Errorf("unexpected argument %q (flags start with -)", args[0])
	}
	return check()
}

// needsSubcommand is the Exec of a command that only groups subcommands.
func needsSubcommand(name, usage string) func(context.Context, []string) error {
	return func(_ context.Context, args []string) error {
		if len(args) > 0 {
			return fmt.Errorf("unknown %s subcommand %q; usage: %s", name, args[0], usage)
		}
		return fmt.Errorf("%s needs a subcommand; usage: %s", name, usage)
	}
}
