package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestThrottleSettings(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want Throttle
	}{
		{"Defaults", nil, Throttle{Bucket: 10_000, RestoreRate: 1_000, Concurrency: 10_000, Expensive: 1_000}},
		{"Set", map[string]string{
			"VITRINE_COST_BUCKET": "2000", "VITRINE_COST_RESTORE_RATE": "100",
			"VITRINE_COST_CONCURRENCY": "4000", "VITRINE_COST_EXPENSIVE": "250",
		}, Throttle{Bucket: 2000, RestoreRate: 100, Concurrency: 4000, Expensive: 250}},
		{"BothOff", map[string]string{"VITRINE_COST_BUCKET": "0", "VITRINE_COST_RESTORE_RATE": "0", "VITRINE_COST_CONCURRENCY": "0"},
			Throttle{RestoreRate: 0, Expensive: 1_000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := load(tt.env)
			require.NoError(t, err)
			require.Equal(t, tt.want, c.Throttle)
		})
	}
}

func TestThrottleMalformed(t *testing.T) {
	cases := []struct{ key, value, want string }{
		{"VITRINE_COST_BUCKET", "-1", "VITRINE_COST_BUCKET"},
		{"VITRINE_COST_BUCKET", "lots", "VITRINE_COST_BUCKET"},
		{"VITRINE_COST_CONCURRENCY", "-5", "VITRINE_COST_CONCURRENCY"},
		{"VITRINE_COST_RESTORE_RATE", "0", "VITRINE_COST_RESTORE_RATE must be positive"},
		{"VITRINE_COST_EXPENSIVE", "0", "VITRINE_COST_EXPENSIVE must be at least 1"},
	}
	for _, c := range cases {
		t.Run(c.key+"="+c.value, func(t *testing.T) {
			_, err := load(map[string]string{c.key: c.value})
			require.ErrorContains(t, err, c.want)
		})
	}
}
