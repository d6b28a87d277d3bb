package graphql

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
)

func TestFieldSet_MarshalGQL(t *testing.T) {
	t.Run("Should_Deduplicate_Keys", func(t *testing.T) {
		fs := NewFieldSet([]CollectedField{
			{Field: &ast.Field{Alias: "__typename"}},
			{Field: &ast.Field{Alias: "__typename"}},
		})
		fs.Values[0] = MarshalString("A")
		fs.Values[1] = MarshalString("A")

		b := bytes.NewBuffer(nil)
		fs.MarshalGQL(b)

		assert.JSONEq(t, "{\"__typename\":\"A\"}", b.String())
	})
}

func addConcurrentFieldAndReturnIndex(
	t *testing.T,
	fieldSet *FieldSet,
	field *ast.Field,
	resolver func(context.Context) Marshaler,
) int {
	t.Helper()
	fieldSet.AddField(CollectedField{Field: field})
	i := len(fieldSet.Values) - 1
	fieldSet.Concurrently(i, resolver)
	return i
}

func TestFieldSetView(t *testing.T) {
	t.Parallel()
	t.Run("properly_yields_values_and_takes_them", func(t *testing.T) {
		synctest.Test(
			t,
			func(t *testing.T) {
				// Arrange
				fieldSet := NewFieldSet(nil)
				view1 := fieldSet.NewView()
				view2 := fieldSet.NewView()
				view3 := fieldSet.NewView()

				slowestField := addConcurrentFieldAndReturnIndex(
					t,
					fieldSet,
					&ast.Field{
						Alias: "slowestField",
					},
					func(ctx context.Context) Marshaler {
						time.Sleep(time.Second * 3)
						return MarshalString("slowestFieldValue")
					},
				)

				secondSlowestField := addConcurrentFieldAndReturnIndex(
					t,
					fieldSet,
					&ast.Field{Alias: "secondSlowestField"},
					func(ctx context.Context) Marshaler {
						time.Sleep(time.Second * 2)
						return MarshalString("secondSlowestFieldValue")
					},
				)

				fastestField := addConcurrentFieldAndReturnIndex(
					t,
					fieldSet,
					&ast.Field{Alias: "fastestField"},
					func(ctx context.Context) Marshaler {
						time.Sleep(time.Second * 1)
						return MarshalString("fastestFieldValue")
					},
				)

				view1.AddIndices(slowestField, fastestField)
				view2.AddIndices(fastestField)
				view3.AddIndices(fastestField, secondSlowestField)

				resultCh := make(chan *FieldSetView)
				view1.SetOnComplete(func(ctx context.Context) {
					resultCh <- view1
				})
				view2.SetOnComplete(func(ctx context.Context) {
					resultCh <- view2
				})
				view3.SetOnComplete(func(ctx context.Context) {
					resultCh <- view3
				})

				// Act
				go fieldSet.Dispatch(t.Context())

				// Assert
				expectedResults := []string{
					`{"fastestField":"fastestFieldValue"}`,
					`{"secondSlowestField":"secondSlowestFieldValue"}`,
					`{"slowestField":"slowestFieldValue"}`,
				}
				for _, expected := range expectedResults {
					synctest.Wait()
					view := <-resultCh
					var buf bytes.Buffer
					view.MarshalGQL(&buf)
					assert.JSONEq(t, expected, buf.String())
				}
			},
		)
	})
}

func TestMarshalFieldSetWritesEachAliasOnce(t *testing.T) {
	t.Parallel()

	for _, n := range []int{1, 16, 17, 40} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			var fields []CollectedField
			var values []Marshaler
			want := map[string]any{}
			// Every alias twice: the first value is the one written.
			for round := range 2 {
				for i := range n {
					alias := fmt.Sprintf("f%d", i)
					fields = append(fields, CollectedField{Field: &ast.Field{Alias: alias}})
					values = append(values, MarshalInt(round*100+i))
					if round == 0 {
						want[alias] = float64(i)
					}
				}
			}
			fs := &FieldSet{fields: fields, Values: values}
			var b bytes.Buffer
			fs.MarshalGQL(&b)
			var got map[string]any
			require.NoError(t, json.Unmarshal(b.Bytes(), &got))
			assert.Equal(t, want, got)
			assert.Equal(t, n-1, strings.Count(b.String(), ","), "one comma between members")
		})
	}
}

func TestDispatchWorkersBoundsConcurrency(t *testing.T) {
	t.Parallel()

	for _, workers := range []int64{0, 1, 2, 3, 10} {
		t.Run(fmt.Sprint(workers), func(t *testing.T) {
			t.Parallel()
			const tasks = 8
			var running, peak atomic.Int32
			fields := make([]CollectedField, tasks)
			for i := range fields {
				fields[i] = CollectedField{Field: &ast.Field{Alias: fmt.Sprintf("f%d", i)}}
			}
			fs := NewFieldSet(fields)
			for i := range tasks {
				fs.concurrentlyCounting(i, Null, func(context.Context) Marshaler {
					n := running.Add(1)
					for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
					}
					time.Sleep(5 * time.Millisecond)
					running.Add(-1)
					return MarshalInt(i)
				})
			}
			fs.DispatchWorkers(context.Background(), workers)

			var b bytes.Buffer
			fs.MarshalGQL(&b)
			assert.JSONEq(t, `{"f0":0,"f1":1,"f2":2,"f3":3,"f4":4,"f5":5,"f6":6,"f7":7}`, b.String(),
				"every task ran and stored its value")
			want := int32(tasks)
			if workers > 0 {
				want = int32(min(workers, tasks))
			}
			assert.LessOrEqual(t, peak.Load(), want)
			if workers == 1 {
				assert.Equal(t, int32(1), peak.Load(), "one worker runs the tasks one after the other")
			}
		})
	}
}

func TestNewFieldSetValuesPerSize(t *testing.T) {
	for n := 0; n <= 10; n++ {
		fields := make([]CollectedField, n)
		a, b := NewFieldSet(fields), NewFieldSet(fields)
		require.Len(t, a.Values, n)
		for i := range a.Values {
			a.Values[i] = MarshalInt(i)
			require.Nil(t, b.Values[i], "sets of %d fields share values", n)
		}
		a.AddField(CollectedField{})
		require.Len(t, a.Values, n+1)
		for i := range n {
			var sb strings.Builder
			a.Values[i].MarshalGQL(&sb)
			require.Equal(t, strconv.Itoa(i), sb.String(), "a field added to a set of %d lost a value", n)
		}
	}
}
