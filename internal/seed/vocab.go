package seed

import "strings"

// department is a top-level category; code prefixes its products' SKUs.
type department struct {
	name, code string
	subs       []subcategory
}

// subcategory groups leaves that share brands and the selling points descriptions borrow.
type subcategory struct {
	name     string
	brands   []string
	features []string
	leaves   []leafVocab
}

// leafVocab is a leaf category and the words its product names and descriptions use.
type leafVocab struct {
	name, code string
	// Prices are USD cents; other currencies are derived from them.
	minPrice, maxPrice int64
	nouns, mods        []string
	variants           []string
	materials, uses    []string
}

func sub(name, brands, features string, leaves ...leafVocab) subcategory {
	return subcategory{name: name, brands: list(brands), features: list(features), leaves: leaves}
}

func leaf(name, code string, minPrice, maxPrice int64, nouns, mods, variants, materials, uses string) leafVocab {
	return leafVocab{
		name: name, code: code, minPrice: minPrice, maxPrice: maxPrice,
		nouns: list(nouns), mods: list(mods), variants: list(variants),
		materials: list(materials), uses: list(uses),
	}
}

func list(s string) []string { return strings.Split(s, "|") }

// qualifiers name the extra leaf categories made when more categories are asked for than the
// built-in tree has, e.g. "Travel Tents" beside "Tents".
var qualifiers = list("Premium|Budget|Travel|Eco-Friendly|Compact|Professional")

var (
	firstNames = list("Ava|Liam|Olivia|Noah|Emma|Mateo|Sofia|Lucas|Amara|Ethan|Mia|Kenji|Isla|Omar|Chloe|" +
		"Diego|Priya|Finn|Zara|Leo|Hana|Samuel|Nadia|Jonas|Grace|Ravi|Elena|Theo|Aisha|Oscar|Ingrid|Malik|" +
		"Lucia|Felix|Yara|Hugo|Mei|Daniel|Freya|Tomas|Leila|Arjun|Nora|Kofi|Clara|Mason|Ines|Arthur|Sana|Max")
	lastNames = list("Smith|Garcia|Chen|Okafor|Muller|Rossi|Tanaka|Novak|Silva|Johansson|Patel|Kowalski|" +
		"Dubois|Nguyen|Haddad|Murphy|Fischer|Costa|Kim|Larsen|Moreau|Singh|Walker|Ivanova|Mensah|Bauer|" +
		"Lopez|Sato|Brennan|Castillo|Jensen|Khan|Ortiz|Weber|Hughes|Romano|Park|Andersson|Reyes|Stewart")
)

// Description sentences; {name}, {brand}, {model} (the name after the brand), {material}, {use}
// and {use2} are filled per product.
var (
	descIntros = list("Meet the {name}, made from {material} and built for {use}.|" +
		"{brand} designed the {model} for {use}, using {material} throughout.|" +
		"{brand} built the {model} around {material} for {use}.|" +
		"Introducing the {name}: {material} construction, made for {use}.")
	descSeconds = list("Equally suited to {use2}.|Also a great pick for {use2}.|Just as good for {use2}.")
	descClosers = list("Backed by a two-year warranty.|Ships in plastic-free packaging.|" +
		"Free returns within 30 days.|Designed in-house and built to last.")
)

// Review text by star rating (index 1..5, 0 unused), so words always match the score.
// {this}/{it}/{subj}/{itis}/{Itis} agree with the product noun's number ("this tent" / "these socks").
var (
	reviewTitles = [6][]string{1: list("Fell apart far too soon|Avoid|Waste of money|Returned it the next day|" +
		"Really poor quality|Do not buy|Nothing like the photos"),
		2: list("Disappointing|Expected a lot more|Not worth the price|Mediocre at best|Wouldn't buy again|" +
			"Looks nice, performs badly"),
		3: list("It's okay|Decent but not great|Mixed feelings|Does the job, just about|Fine for the price|" +
			"Some good, some bad"),
		4: list("Very good, minor quibbles|Solid {noun}|Great value|Almost perfect|Does the job well|" +
			"Happy with my purchase"),
		5: list("Exactly what I hoped for|Best {noun} I've owned|Worth every penny|Five stars, no hesitation|" +
			"Brilliant|Love it|Couldn't be happier")}
	reviewOpenings = [6][]string{1: list("{Itis} honestly one of the worst things I've bought online.|" +
		"Started falling apart after {duration}.|Completely unusable for {use}.|" +
		"Very disappointed, and I don't say that lightly."),
		2: list("I wanted to like {this} {noun}, but {itis} disappointing.|Not great, unfortunately.|" +
			"After {duration} I'm already regretting this purchase.|I bought {it} for {use} and {itis} just not up to it."),
		3: list("{Itis} fine, but nothing special.|I have mixed feelings about {this} {noun}.|" +
			"After {duration} of use, I'd call {it} average.|Does the job, mostly."),
		4: list("I've had {this} {noun} for {duration} and I'm very happy with {it}.|Really good {noun} for the money.|" +
			"Bought {it} mainly for {use}, and so far so good.|Not perfect, but {itis} a clear step up from what I had."),
		5: list("I've been using {this} {noun} for {duration} and {itis} fantastic.|" +
			"Bought {it} for {use} and {subj} exceeded every expectation.|" +
			"Honestly the best purchase I've made this year.|" +
			"I did a lot of research before buying and I'm so glad I picked {this} {noun}.")}
	reviewDetails = [6][]string{1: list("The {material} started coming apart within {duration}.|" +
		"Useless for {use2}; I gave up after two tries.|Customer service never replied to my emails."),
		2: list("The {material} already shows wear after {duration}.|" +
			"{Itis} not really suitable for {use2}, whatever the description says.|Quality control seems hit and miss."),
		3: list("The {material} is okay but feels cheaper than I expected.|For {use2} {itis} adequate, nothing more.|" +
			"Some details are well thought out, others feel like an afterthought."),
		4: list("The {material} feels well made, though the finish could be a touch better.|" +
			"{Itis} great for {use2}; my only gripe is the price.|Quality is good overall and {itis} well suited to {use2}."),
		5: list("The {material} feels premium and {subj} coped with {use2} without a single problem.|" +
			"Build quality is excellent; you can tell real thought went into the {material}.|" +
			"I use {it} for {use2} every week and {itis} still like new.")}
	reviewExtras = [6][]string{1: list("Returns were a hassle.|The photos on the product page are misleading.|" +
		"Packaging was damaged on arrival."),
		2: list("Returns were a hassle.|The photos on the product page are misleading."),
		3: list("Delivery was fine.|At this price I expected a bit more."),
		4: list("Delivery was quick and everything arrived well packaged.|Good value compared with the big-name brands."),
		5: list("Delivery was quick and everything arrived well packaged.|Good value compared with the big-name brands.|" +
			"My partner liked {it} so much we ordered another.")}
	reviewClosings = [6][]string{1: list("Save your money.|Avoid.|Returned for a refund."),
		2: list("I wouldn't buy {it} again.|There are better options for the money.|Two stars, and that's generous."),
		3: list("Maybe wait for a sale.|Fine if your expectations are modest.|I'd look around before buying."),
		4: list("Recommended.|I'd buy {it} again.|Minus one star for the price, otherwise great."),
		5: list("Highly recommended.|Would buy again in a heartbeat.|Can't fault {it}.|Five stars from me.")}
	reviewUpdates = [6][]string{
		1: list("Update after {duration}: the replacement has the same problem."),
		2: list("Update after {duration}: the seller replaced {it}, but I'm still not impressed."),
		3: list("Update after {duration}: no change in my opinion."),
		4: list("Update after {duration}: still holding up well."),
		5: list("Update after {duration}: still going strong, and I've recommended {it} to friends.")}
	durations = list("a few days|two weeks|a month|six weeks|three months|half a year|almost a year")
)

// properWords keep their capital when a product noun is lower-cased for running text.
var properWords = map[string]bool{"Bluetooth": true, "Dutch": true, "Nordic": true, "French": true}

// textNoun lower-cases a product noun for use mid-sentence ("Dome Tent" → "dome tent") while
// keeping acronyms and proper nouns ("GPS Watch" → "GPS watch").
func textNoun(noun string) string {
	words := strings.Fields(noun)
	for i, w := range words {
		if properWords[w] {
			continue
		}
		parts := strings.Split(w, "-")
		for j, p := range parts {
			if strings.ToUpper(p) != p {
				parts[j] = strings.ToLower(p)
			}
		}
		words[i] = strings.Join(parts, "-")
	}
	return strings.Join(words, " ")
}

// pluralNoun reports whether a product noun names a pair or set ("Running Shoes"), so review
// text says "these"/"them". "Lens" is singular despite its final s.
func pluralNoun(noun string) bool {
	return strings.HasSuffix(noun, "s") && !strings.HasSuffix(noun, "ss") && !strings.HasSuffix(noun, "Lens")
}
