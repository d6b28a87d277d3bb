package seed

import (
	"math/rand/v2"
	"sort"
)

// allocate adds up to total to counts in proportion to weights without taking any counts[i]
// past limit(i), and returns what did not fit. Shares are rounded at random rather than
// down, so a long tail of unpopular items still gets the occasional one.
func allocate(rng *rand.Rand, weights []float64, counts []int, total int, limit func(i int) int) int {
	for total > 0 {
		sum := 0.0
		for i, w := range weights {
			if counts[i] < limit(i) {
				sum += w
			}
		}
		if sum == 0 {
			break
		}
		budget, given := float64(total), 0
		for i, w := range weights {
			room := limit(i) - counts[i]
			if room <= 0 || total == 0 {
				continue
			}
			share := min(int(budget*w/sum+rng.Float64()), room, total)
			counts[i] += share
			total -= share
			given += share
		}
		if given == 0 {
			total = allocateOnes(counts, total, limit)
		}
	}
	return total
}

// allocateOnes hands out single units in index order, for the rare round in which every
// share rounded to zero.
func allocateOnes(counts []int, total int, limit func(i int) int) int {
	for i := range counts {
		if total == 0 {
			break
		}
		if counts[i] < limit(i) {
			counts[i]++
			total--
		}
	}
	return total
}

// cumulative returns running sums of weights, for pickWeighted.
func cumulative(weights []float64) []float64 {
	cum := make([]float64, len(weights))
	sum := 0.0
	for i, w := range weights {
		sum += w
		cum[i] = sum
	}
	return cum
}

// pickWeighted draws an index with probability proportional to its weight.
func pickWeighted(rng *rand.Rand, cum []float64) int {
	x := rng.Float64() * cum[len(cum)-1]
	return min(len(cum)-1, sort.Search(len(cum), func(i int) bool { return cum[i] > x }))
}

// userSampler draws distinct users for one product at a time, favouring active users.
type userSampler struct {
	cum   []float64
	taken []uint32 // taken[u] == round: u already has an opinion on the current product
	round uint32
}

func newUserSampler(activity []float64) *userSampler {
	return &userSampler{cum: cumulative(activity), taken: make([]uint32, len(activity))}
}

// reset starts a new product, forgetting who was taken, in O(1).
func (s *userSampler) reset() { s.round++ }

// take excludes u from the rest of the current product's draws.
func (s *userSampler) take(u int32) { s.taken[u] = s.round }

// draw appends k distinct users not yet taken for the current product and takes them.
// Weighted rejection sampling is fast until most users are taken; a popular product can get
// there, so after a bounded number of misses the rest come from the untaken users uniformly.
func (s *userSampler) draw(rng *rand.Rand, k int, out []int32) []int32 {
	for misses := 0; k > 0 && misses < 4*k+32; {
		u := int32(pickWeighted(rng, s.cum))
		if s.taken[u] == s.round {
			misses++
			continue
		}
		s.take(u)
		out = append(out, u)
		k--
	}
	if k == 0 {
		return out
	}
	for _, u := range rng.Perm(len(s.taken)) {
		if k == 0 {
			break
		}
		if s.taken[u] != s.round {
			s.take(int32(u))
			out = append(out, int32(u))
			k--
		}
	}
	return out
}
