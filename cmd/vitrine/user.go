package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/vitrinehq/vitrine/internal/account"
	"github.com/vitrinehq/vitrine/internal/config"
)

// userCmd handles `vitrine user create-admin --email E --password-stdin [--name N]`. The
// password comes from standard input so it never appears in shell history or `ps`.
func userCmd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create-admin" {
		return errors.New("usage: vitrine user create-admin --email E --password-stdin [--name N]")
	}
	fs := flag.NewFlagSet("vitrine user create-admin", flag.ContinueOnError)
	email := fs.String("email", "", "the admin's email")
	name := fs.String("name", "Administrator", "display name")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input (required)")
	cfg, _, err := config.Load(fs, getenv, args[1:])
	if err != nil {
		return err
	}
	if !*fromStdin || *email == "" {
		return errors.New("usage: vitrine user create-admin --email E --password-stdin [--name N]")
	}
	password, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read password: %w", err)
	}
	password = strings.TrimRight(password, "\r\n")
	st, err := openMigrated(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	accounts, err := account.New(st.Client, bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	u, err := accounts.CreateAdmin(ctx, *email, password, *name)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created admin %s\n", u.Email)
	return nil
}
