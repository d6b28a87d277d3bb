// Command vitrine serves the product catalog as a GraphQL API.
//
//	vitrine serve     run the server (migrates first unless VITRINE_AUTO_MIGRATE is off, as in
//	                  production; seeds demo data into an empty embedded store)
//	vitrine migrate   apply the pending schema migrations (-status lists them)
//	vitrine seed      load the demo catalog into an empty database
//	vitrine user create-admin --email E --password-stdin   bootstrap an administrator
//	vitrine healthcheck  probe a running server's /healthz
//	vitrine documents hash PATH  print the manifest of trusted documents
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, nil); err != nil {
		fmt.Fprintln(os.Stderr, "vitrine:", err)
		os.Exit(1)
	}
}

const usage = `usage: vitrine <command> [flags]

commands:
  serve     run the GraphQL server (default)
  migrate   apply the pending schema migrations; -status lists applied and pending ones
  seed      load the demo catalog into an empty database
  user create-admin --email E --password-stdin
            create an administrator (works on either store)
  healthcheck  exit 0 if the server on VITRINE_ADDR answers /healthz (for container health checks)
  documents hash PATH
            validate the .graphql documents under PATH and print their hashes as JSON
            (for VITRINE_TRUSTED_DOCUMENTS)

Run "vitrine <command> -h" for the flags of a command; every flag has an environment variable.
`

// run is main without the process: tests call it with their own arguments, environment and
// a callback that learns the listening address.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer, onListen func(net.Addr)) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, onListen)
	case "migrate":
		return migrate(ctx, args, getenv, stdout)
	case "seed":
		return seedCmd(ctx, args, getenv, stdout)
	case "user":
		return userCmd(ctx, args, getenv, stdin, stdout)
	case "healthcheck":
		return healthcheck(ctx, args, getenv, stdout)
	case "documents":
		return documentsCmd(args, stdout)
	case "help", "-h", "--help":
		_, err := io.WriteString(stdout, usage)
		return err
	}
	return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
}
