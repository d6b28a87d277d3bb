// Command vitrine serves the product catalog as a GraphQL API.
//
//	vitrine serve     run the server (migrates first unless VITRINE_AUTO_MIGRATE is off, as in
//	                  production; seeds demo data into an empty embedded store)
//	vitrine migrate   apply the pending schema migrations (-status lists them)
//	vitrine seed      load the demo catalog into an empty database
//	vitrine user create-admin --email E --password-stdin   bootstrap an administrator
//	vitrine healthcheck  probe a running server's /healthz
//	vitrine documents hash PATH  print the manifest of trusted documents
//
// Each command has its own flags (vitrine <command> -h); cli.go declares them.
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

// run is main without the process: tests call it with their own arguments, environment and
// a callback that learns the listening address.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer, onListen func(net.Addr)) error {
	return newCLI(getenv, stdin, stdout, onListen).run(ctx, args)
}
