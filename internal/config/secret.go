package config

import (
	"flag"
	"fmt"
	"net/url"
	"strings"
)

// secretValue is a string flag whose value never shows in help output or in the docs: the flag
// package prints each flag's default, and defaults come from the environment.
type secretValue struct {
	p    *string
	show func(string) string
}

func (s secretValue) String() string {
	if s.p == nil || *s.p == "" {
		return ""
	}
	return s.show(*s.p)
}

func (s secretValue) Set(v string) error {
	*s.p = v
	return nil
}

// secretVar defines a string flag like flag.StringVar whose value is shown through show.
func secretVar(fs *flag.FlagSet, p *string, name, value string, show func(string) string, usage string) {
	*p = value
	fs.Var(secretValue{p: p, show: show}, name, usage)
}

// hidden shows that a secret is set, not what it is.
func hidden(string) string { return "(set)" }

// redactURLs shows a comma-separated list of URLs without their credentials.
func redactURLs(v string) string {
	var out []string
	for _, u := range splitList(v) {
		out = append(out, SafeURL(u))
	}
	return strings.Join(out, ",")
}

// SafeURL returns what of a database or Redis URL may appear in a message or a log: scheme,
// user, host and path, with the password masked and the query dropped (lib/pq and go-redis
// both accept password=… there). A value that is not a URL is not echoed at all: it may be a
// key=value connection string holding a password.
func SafeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		return "(a value that is not a URL)"
	}
	clean := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	if u.User != nil {
		if _, set := u.User.Password(); set {
			clean.User = url.UserPassword(u.User.Username(), "xxxxx")
		} else {
			clean.User = url.User(u.User.Username())
		}
	}
	return clean.String()
}

// checkPostgresURL refuses anything but a postgres:// URL, naming the variable and never
// echoing a password: lib/pq would otherwise read the value as a key=value string and quote it
// back in its error.
func checkPostgresURL(key, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return fmt.Errorf("%s must be a Postgres URL such as postgres://user:password@host:5432/vitrine?sslmode=disable, got %s",
			key, SafeURL(raw))
	}
	return nil
}
