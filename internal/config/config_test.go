package config

import (
	"flag"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func load(env map[string]string, args ...string) (Config, error) {
	c, _, err := Load(flag.NewFlagSet("test", flag.ContinueOnError), func(k string) string { return env[k] }, args)
	return c, err
}

const secret = "0123456789abcdef0123456789abcdef"

func TestReplicaAndShutdownSettings(t *testing.T) {
	tests := []struct {
		name  string
		env   map[string]string
		check func(*testing.T, Config)
	}{
		{"DefaultsInDevelopment", nil, func(t *testing.T, c Config) {
			require.Empty(t, c.ReplicaURLs)
			require.Equal(t, 5*time.Second, c.ReplicaMaxLag)
			require.Equal(t, time.Second, c.ReplicaCheckInterval)
			require.Zero(t, c.ShutdownDrain, "a developer's Ctrl-C does not wait")
		}},
		{"ProductionDrainsFiveSeconds", map[string]string{"VITRINE_ENV": "production", "VITRINE_JWT_SECRET": secret}, func(t *testing.T, c Config) {
			require.Equal(t, 5*time.Second, c.ShutdownDrain)
		}},
		{"ExplicitDrainWins", map[string]string{"VITRINE_ENV": "production", "VITRINE_JWT_SECRET": secret, "VITRINE_SHUTDOWN_DRAIN": "0s"}, func(t *testing.T, c Config) {
			require.Zero(t, c.ShutdownDrain)
		}},
		{"ReplicaList", map[string]string{"DATABASE_URL": "postgres://p/db", "DATABASE_REPLICA_URLS": " postgres://r1/db, postgres://r2/db ,", "VITRINE_REDIS_URL": "redis://127.0.0.1:6379/0"}, func(t *testing.T, c Config) {
			require.Equal(t, []string{"postgres://r1/db", "postgres://r2/db"}, c.ReplicaURLs)
			require.Equal(t, "redis://127.0.0.1:6379/0", c.Edge.RedisURL)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(tt.env)
			require.NoError(t, err)
			tt.check(t, c)
		})
	}
}

func TestReplicaSettingErrors(t *testing.T) {
	tests := []struct {
		name, want string
		env        map[string]string
	}{
		{"ErrReplicasWithoutPrimary", "DATABASE_REPLICA_URLS needs DATABASE_URL", map[string]string{"DATABASE_REPLICA_URLS": "postgres://r/db"}},
		{"ErrBadLag", "VITRINE_REPLICA_MAX_LAG", map[string]string{"VITRINE_REPLICA_MAX_LAG": "soon"}},
		{"ErrNegativeDrain", "VITRINE_SHUTDOWN_DRAIN", map[string]string{"VITRINE_SHUTDOWN_DRAIN": "-1s"}},
		{"ErrZeroCheckInterval", "VITRINE_REPLICA_CHECK_INTERVAL", map[string]string{"VITRINE_REPLICA_CHECK_INTERVAL": "0s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(tt.env)
			require.ErrorContains(t, err, tt.want)
		})
	}
}

func TestShutdownDrainFlag(t *testing.T) {
	c, err := load(map[string]string{"VITRINE_SHUTDOWN_DRAIN": "1s"}, "-shutdown-drain", "3s")
	require.NoError(t, err)
	require.Equal(t, 3*time.Second, c.ShutdownDrain, "the flag overrides the environment")
	_, err = load(nil, "-shutdown-drain", "-2s")
	require.ErrorContains(t, err, "shutdown-drain")
}

func TestAutoMigrate(t *testing.T) {
	prod := map[string]string{"VITRINE_ENV": "production", "VITRINE_JWT_SECRET": secret}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want bool
	}{
		{"OnInDevelopment", nil, nil, true},
		{"OffInProduction", prod, nil, false},
		{"OptInProduction", map[string]string{"VITRINE_ENV": "production", "VITRINE_JWT_SECRET": secret, "VITRINE_AUTO_MIGRATE": "true"}, nil, true},
		{"OptOutInDevelopment", map[string]string{"VITRINE_AUTO_MIGRATE": "false"}, nil, false},
		{"FlagWins", prod, []string{"-auto-migrate", "true"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(tt.env, tt.args...)
			require.NoError(t, err)
			require.Equal(t, tt.want, c.AutoMigrate)
		})
	}
	_, err := load(map[string]string{"VITRINE_AUTO_MIGRATE": "sometimes"})
	require.ErrorContains(t, err, "VITRINE_AUTO_MIGRATE")
}
