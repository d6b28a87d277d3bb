package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/vitrinehq/vitrine/internal/account"
	"github.com/vitrinehq/vitrine/internal/config"
)

// adminFlags are the flags of `vitrine user create-admin`.
type adminFlags struct {
	email, name *string
	fromStdin   *bool
}

// createAdmin handles `vitrine user create-admin --email E --password-stdin [--name N]`. The
// password comes from standard input so it never appears in shell history or `ps`.
func createAdmin(ctx context.Context, cfg config.Config, f adminFlags, stdin io.Reader, stdout io.Writer) error {
	email, name := f.email, f.name
	if !*f.fromStdin || *email == "" {
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
