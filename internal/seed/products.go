package seed

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vitrinehq/vitrine/ent"
)

// productColumns is the number of values a product row binds: created_at, updated_at, sku,
// name, slug, description, price, currency, stock, image_url, category_id.
const productColumns = 11

// productRow is what later phases need to know about an inserted product.
type productRow struct {
	id       int
	created  time.Time
	noun     string
	material string
	vocab    *leafVocab
}

// productDraft is a product before insertion.
type productDraft struct {
	productRow
	leaf                  *leafCategory
	brand, model          string // model is the name after the brand
	use                   string
	name, slug, sku, desc string
	price                 int64
	currency              string
	stock                 int
	updated               time.Time
}

// loadProducts generates every product, then inserts them oldest first so IDs and SKU
// numbers rise with creation time, as they would in a live shop.
func (l *loader) loadProducts(ctx context.Context) (int, error) {
	n := l.opts.Products
	if n == 0 {
		return 0, nil
	}
	rng := newRand(l.opts.Seed, streamProducts)
	leafOf := assignLeaves(rng, n, len(l.leaves))
	used := make(map[string]bool, n)
	drafts := make([]productDraft, n)
	for i := range drafts {
		drafts[i] = l.draftProduct(rng, &l.leaves[leafOf[i]], used)
	}
	slices.SortStableFunc(drafts, func(a, b productDraft) int {
		return cmp.Or(a.created.Compare(b.created), strings.Compare(a.slug, b.slug))
	})
	l.products = make([]productRow, n)
	err := inBatches(n, productColumns, func(lo, hi int) error {
		builders := make([]*ent.ProductCreate, 0, hi-lo)
		for i := lo; i < hi; i++ {
			d := &drafts[i]
			d.sku = fmt.Sprintf("%s-%s-%05d", d.leaf.dept.code, d.leaf.vocab.code, i+1)
			builders = append(builders, l.client.Product.Create().
				SetSku(d.sku).SetName(d.name).SetSlug(d.slug).SetDescription(d.desc).
				SetPrice(d.price).SetCurrency(d.currency).SetStock(d.stock).
				SetImageURL("https://images.example.com/products/"+d.slug+".jpg").
				SetCategoryID(d.leaf.id).SetCreatedAt(d.created).SetUpdatedAt(d.updated))
		}
		created, err := l.client.Product.CreateBulk(builders...).Save(ctx)
		for k, p := range created {
			l.products[lo+k] = drafts[lo+k].productRow
			l.products[lo+k].id = p.ID
		}
		return err
	})
	return n, err
}

// assignLeaves files products under leaves: first evenly, so every leaf has at least half its
// fair share and browsing any category finds something, then at random with per-leaf
// weights, since real categories differ in size.
func assignLeaves(rng *rand.Rand, products, leaves int) []int {
	weights := make([]float64, leaves)
	for i := range weights {
		weights[i] = 0.4 + 1.2*rng.Float64()
	}
	cum := cumulative(weights)
	even := max(min(products, leaves), products/(2*leaves)*leaves)
	out := make([]int, products)
	for i := range out {
		if i < even {
			out[i] = i % leaves
		} else {
			out[i] = pickWeighted(rng, cum)
		}
	}
	return out
}

func (l *loader) draftProduct(rng *rand.Rand, lf *leafCategory, used map[string]bool) productDraft {
	v := lf.vocab
	d := productDraft{leaf: lf}
	var mod string
	d.name, d.brand, mod, d.noun = productName(rng, lf, used)
	d.model = strings.TrimPrefix(d.name, d.brand+" ")
	d.slug = slugify(d.name)
	d.vocab = v
	d.material = productMaterial(rng, v, mod)
	d.use = pick(rng, v.uses)
	d.desc = describe(rng, &d)
	d.price, d.currency = productPrice(rng, v)
	if rng.IntN(20) > 0 {
		d.stock = int(logUniform(rng, 3, 500))
	}
	// Products appear from a day after the categories up to now; half were edited since.
	first := l.start.Add(24 * time.Hour)
	d.created = first.Add(time.Duration(rng.Int64N(int64(l.now.Sub(first)/time.Second))) * time.Second)
	d.updated = d.created
	if rng.IntN(2) == 0 {
		d.updated = d.created.Add(time.Duration(rng.Int64N(int64(l.now.Sub(d.created)/time.Second)+1)) * time.Second)
	}
	return d
}

// productName combines brand, modifier, noun and variant ("Ironhearth Cast-Iron Skillet 26 cm"),
// drawing again when the slug is taken. When a leaf's vocabulary runs short, a generation
// suffix keeps names unique at any scale. mod is empty when the name has no modifier.
func productName(rng *rand.Rand, lf *leafCategory, used map[string]bool) (name, brand, mod, noun string) {
	v := lf.vocab
	for range 40 {
		brand, noun, mod = pick(rng, lf.sub.brands), pick(rng, v.nouns), pick(rng, v.mods)
		parts := []string{brand}
		// Skip modifiers the noun already says ("Waterproof Waterproof Shell").
		if rng.IntN(4) == 0 || strings.Contains(noun, mod) {
			mod = ""
		} else {
			parts = append(parts, mod)
		}
		parts = append(parts, noun)
		if variant := pick(rng, v.variants); rng.IntN(5) > 0 && variant != mod {
			parts = append(parts, variant)
		}
		name = strings.Join(parts, " ")
		if !used[slugify(name)] {
			used[slugify(name)] = true
			return name, brand, mod, noun
		}
	}
	for gen := 2; ; gen++ {
		candidate := name + " Gen " + strconv.Itoa(gen)
		if !used[slugify(candidate)] {
			used[slugify(candidate)] = true
			return candidate, brand, mod, noun
		}
	}
}

// productMaterial prefers a material the name promises ("Cast-Iron" → "pre-seasoned cast
// iron"), so a description never contradicts its title.
func productMaterial(rng *rand.Rand, v *leafVocab, mod string) string {
	if mod != "" {
		want := strings.ToLower(strings.ReplaceAll(mod, "-", " "))
		for _, m := range v.materials {
			if strings.Contains(m, want) {
				return m
			}
		}
	}
	return pick(rng, v.materials)
}

// describe writes 2–4 sentences naming the material and uses, so full-text search on words
// like "waterproof" or "cast iron" finds the products a shopper would expect.
func describe(rng *rand.Rand, d *productDraft) string {
	v := d.leaf.vocab
	use2 := pick(rng, v.uses)
	for tries := 0; use2 == d.use && tries < 8; tries++ {
		use2 = pick(rng, v.uses)
	}
	vars := []string{"name", d.name, "brand", d.brand, "model", d.model, "material", d.material, "use", d.use, "use2", use2}
	optional := []string{pick(rng, descSeconds), pick(rng, d.leaf.sub.features), pick(rng, descClosers)}
	// Drop optional sentences at random but keep their order, which reads naturally.
	for drop := rng.IntN(3); drop > 0; drop-- {
		i := rng.IntN(len(optional))
		optional = append(optional[:i], optional[i+1:]...)
	}
	sentences := append([]string{pick(rng, descIntros)}, optional...)
	for i, s := range sentences {
		sentences[i] = fill(s, vars...)
	}
	return strings.Join(sentences, " ")
}

// productPrice returns an integer amount in the currency's minor units with shop-like
// endings. Most products are in USD; a few are EUR, and a few JPY, which has no minor unit.
func productPrice(rng *rand.Rand, v *leafVocab) (int64, string) {
	cents := logUniform(rng, v.minPrice, v.maxPrice)
	switch r := rng.IntN(100); {
	case r < 4:
		// About 150 yen to the dollar, rounded up to a hundred yen and ending in 80: ¥7,480.
		yen := (cents*3/2 + 99) / 100 * 100
		return yen - 20, "JPY"
	case r < 11:
		return charmPrice(rng, cents*92/100), "EUR"
	default:
		return charmPrice(rng, cents), "USD"
	}
}

// charmPrice rounds minor units to a whole major unit and usually knocks off a cent: 49.99.
func charmPrice(rng *rand.Rand, minor int64) int64 {
	whole := max(1, (minor+50)/100) * 100
	switch rng.IntN(10) {
	case 0:
		return whole
	case 1:
		return whole - 5
	default:
		return whole - 1
	}
}
