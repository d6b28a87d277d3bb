package seed

// The second half of the built-in category tree (see vocab_catalog.go), split off to keep
// each file readable.

var sportsDepartment = department{name: "Sports & Fitness", code: "SPO", subs: []subcategory{
	sub("Running", "Stridewell|Fleetfoot|Tempo Athletics|Pacer|Runwell",
		"Tested over thousands of kilometres by our run club.|"+
			"Reflective details keep you visible on early-morning runs.|"+
			"Marathon coaches helped shape the design.|"+
			"Light enough to forget about by the second mile.",
		leaf("Running Shoes", "RSH", 5999, 22999,
			"Running Shoes|Trail Running Shoes|Carbon-Plated Running Shoes|Road Running Shoes", "Cushioned|Lightweight|Waterproof|Stability",
			"v2|v3|v4|Wide", "engineered mesh|responsive foam|grippy rubber",
			"marathon training|muddy trail runs|daily 5Ks"),
		leaf("Running Apparel", "RAP", 1999, 14999,
			"Running Jacket|Running Tights|Running Shorts|Running Vest", "Waterproof|Thermal|Reflective|Packable",
			colours, "recycled polyester|merino wool blend|four-way stretch fabric",
			"winter training|race day|rainy commutes"),
		leaf("GPS Watches", "GPS", 9999, 69999,
			"GPS Watch|Running Watch|Multisport Watch|Fitness Tracker", "Solar|AMOLED|Lightweight|Rugged",
			"42 mm|47 mm|51 mm", "sapphire glass|fibre-reinforced polymer|titanium",
			"marathon training|ultra races|triathlons")),
	sub("Fitness", "Ironclad|Corefit|Flexline|Zenith Fitness|Gravity Gym",
		"Non-slip surfaces keep everything in place mid-workout.|"+
			"Compact enough to store under a bed.|"+
			"Free follow-along workouts come with every purchase.|"+
			"Tested to commercial-gym standards.",
		leaf("Dumbbells", "DMB", 1999, 49999,
			"Dumbbell|Adjustable Dumbbells|Kettlebell|Dumbbell Set", "Hex|Rubber-Coated|Adjustable|Cast-Iron",
			"5 kg|10 kg|16 kg|24 kg", "solid cast iron|rubber-coated steel|chrome-plated steel",
			"home workouts|strength training|HIIT circuits"),
		leaf("Yoga Mats", "YOG", 1999, 12999,
			"Yoga Mat|Travel Yoga Mat|Yoga Block|Yoga Strap", "Non-Slip|Cork|Extra-Thick|Eco",
			"4 mm|6 mm|8 mm", "natural tree rubber|cork|TPE foam",
			"hot yoga|pilates|stretching after runs"),
		leaf("Resistance Bands", "RBD", 999, 5999,
			"Resistance Bands|Loop Bands|Pull-Up Band|Band Set", "Fabric|Latex-Free|Heavy|Light",
			"Light|Medium|Heavy|5-Pack", "natural latex|woven fabric",
			"physiotherapy|glute workouts|assisted pull-ups")),
	sub("Cycling", "Velocity|Spokesmith|Cadence|Roadcraft|Gearhead",
		"Designed and tested with club cyclists.|"+
			"Tool-free mounting takes seconds.|"+
			"Weatherproof details mean rain never ends a ride early.|"+
			"An aerodynamic profile cuts drag at speed.",
		leaf("Bike Helmets", "HLM", 3999, 24999,
			"Road Helmet|Mountain Bike Helmet|Commuter Helmet", "MIPS|Aero|Ventilated|Lightweight",
			"Matte Black|Gloss White|Fluoro Yellow", "in-moulded EPS foam|polycarbonate",
			"road racing|trail riding|city commuting"),
		leaf("Bike Lights", "BLT", 1499, 9999,
			"Front Light|Rear Light|Light Set|Bike Light", "Rechargeable|Daytime|Waterproof|Smart",
			"400 lm|800 lm|1200 lm", "aluminium|polycarbonate",
			"night rides|winter commutes|gravel adventures"),
		leaf("Cycling Jerseys", "JRS", 3999, 17999,
			"Cycling Jersey|Bib Shorts|Cycling Gilet|Thermal Jersey", "Aero|Merino|Lightweight|Thermal",
			colours, "recycled polyester|merino wool|stretch fabric",
			"long summer rides|sportives|winter base miles")),
}}

var homeDepartment = department{name: "Home & Living", code: "HOM", subs: []subcategory{
	sub("Bedding", "Dreamweave|Linenfield|Cloudnest|Slumberwell|Nightingale",
		"Certified free of harmful substances.|"+
			"A breathable weave keeps you cool on warm nights.|"+
			"Machine washable at 40 C, and softer with every wash.|"+
			"Try it for 100 nights with free returns.",
		leaf("Duvets", "DUV", 4999, 34999,
			"Duvet|Weighted Blanket|Mattress Topper", "All-Season|Down|Hypoallergenic|Cooling",
			"Single|Double|King|Super King", "responsibly sourced goose down|recycled microfibre|organic cotton",
			"cold winter nights|hot sleepers|allergy sufferers"),
		leaf("Pillows", "PIL", 1999, 12999,
			"Pillow|Memory Foam Pillow|Side Sleeper Pillow|Pillow Pair", "Hypoallergenic|Adjustable|Cooling|Down-Alternative",
			"Standard|King|Firm|Medium", "shredded memory foam|duck feather|bamboo viscose",
			"side sleepers|neck pain|guest rooms"),
		leaf("Bed Sheets", "SHT", 2999, 19999,
			"Sheet Set|Fitted Sheet|Duvet Cover|Pillowcase Pair", "Linen|Percale|Sateen|Organic Cotton",
			"Single|Double|King|Super King", "stonewashed linen|long-staple cotton|organic cotton percale",
			"hot summers|crisp hotel-style beds|everyday use")),
	sub("Lighting", "Lumina|Glowhaus|Brightwell|Lanterna|Filamento",
		"Energy-efficient LEDs are rated for 25,000 hours.|"+
			"Dims smoothly to set the mood for reading or relaxing.|"+
			"Works with the major smart-home assistants.|"+
			"Assembly takes less than ten minutes.",
		leaf("Table Lamps", "TLP", 2999, 19999,
			"Table Lamp|Desk Lamp|Bedside Lamp", "Ceramic|Brass|Dimmable|Cordless",
			"Sage|Sand|Charcoal|Terracotta", "glazed ceramic|brushed brass|linen",
			"reading in bed|home offices|living rooms"),
		leaf("Floor Lamps", "FLP", 4999, 39999,
			"Floor Lamp|Arc Lamp|Tripod Lamp", "Oak|Arc|Dimmable|Industrial",
			"Black|Brass|White|Walnut", "solid oak|powder-coated steel|marble",
			"reading corners|open-plan living rooms|studios"),
		leaf("Smart Bulbs", "BLB", 999, 5999,
			"Smart Bulb|LED Bulb|Filament Bulb|LED Light Strip", "Colour|Tunable White|Wi-Fi|Dimmable",
			"E27|E14|GU10|2-Pack|4-Pack", "frosted glass|amber glass",
			"bedtime routines|movie nights|gentle wake-up lighting")),
	sub("Storage", "Tidyhome|Oakline|Nordbox|Shelfwise|Weaveworks",
		"Arrives flat-packed with every fixing included.|"+
			"Built from responsibly sourced materials.|"+
			"A wipe-clean finish copes with busy family homes.|"+
			"A stackable design makes the most of small spaces.",
		leaf("Shelving", "SHV", 3999, 29999,
			"Bookcase|Wall Shelf|Ladder Shelf|Shelving Unit", "Oak|Industrial|Floating|Modular",
			"2-Tier|3-Tier|5-Tier", "solid oak|powder-coated steel|bamboo",
			"home libraries|kitchens|kids' rooms"),
		leaf("Baskets", "BSK", 999, 7999,
			"Storage Basket|Laundry Basket|Storage Box", "Woven|Seagrass|Collapsible|Lidded",
			"Small|Medium|Large|Set of 3", "seagrass|water hyacinth|wool felt",
			"toy storage|laundry day|tidy shelves"),
		leaf("Organisers", "ORG", 799, 4999,
			"Drawer Organiser|Desk Organiser|Wardrobe Organiser|Spice Rack", "Bamboo|Expandable|Stackable|Magnetic",
			"Small|Large|4-Compartment|6-Compartment", "bamboo|clear acrylic|powder-coated steel",
			"cluttered drawers|home offices|pantries")),
}}

var apparelDepartment = department{name: "Apparel", code: "APP", subs: []subcategory{
	sub("Outerwear", "Northvale|Stormline|Fjordwear|Highland Supply|Urbanist",
		"Fully taped seams keep out wind and driving rain.|"+
			"Packs into its own pocket for travel.|"+
			"The adjustable hood fits over a helmet or beanie.|"+
			"PFC-free waterproofing protects you and the planet.",
		leaf("Rain Jackets", "RJK", 6999, 34999,
			"Rain Jacket|Waterproof Shell|Rain Parka|Anorak", "Waterproof|Packable|Breathable|3-Layer",
			colours, "2.5-layer recycled nylon|waterproof breathable fabric",
			"city downpours|hillwalking|festival season"),
		leaf("Down Jackets", "DJK", 9999, 49999,
			"Down Jacket|Puffer Jacket|Down Vest|Parka", "Hooded|Lightweight|Recycled|Expedition",
			colours, "responsibly sourced 700-fill down|water-repellent ripstop",
			"winter city days|ski trips|cold belay stances"),
		leaf("Fleeces", "FLC", 2999, 12999,
			"Fleece|Half-Zip Fleece|Fleece Hoodie|Fleece Gilet", "Recycled|Grid|Sherpa|Midweight",
			colours, "recycled polyester fleece|grid fleece",
			"layering in winter|chilly evenings|hiking")),
	sub("Footwear", "Trailmark|Cobblestone|Harbour|Kinfolk|Stridewell",
		"Grippy rubber outsoles handle wet pavements and muddy trails.|"+
			"A cushioned footbed keeps them comfortable all day.|"+
			"Resoleable construction means they can last for years.|"+
			"Half sizes are available.",
		leaf("Hiking Boots", "HBT", 7999, 29999,
			"Hiking Boots|Walking Boots|Approach Shoes|Hiking Shoes", "Waterproof|Leather|Lightweight|Mid",
			"Brown|Slate|Black|Olive", "full-grain leather|suede and mesh|waterproof nubuck",
			"muddy trails|long-distance hikes|rocky scrambles"),
		leaf("Sneakers", "SNK", 4999, 19999,
			"Sneakers|Canvas Sneakers|Court Shoes|Slip-Ons", "Classic|Vegan|Low-Top|High-Top",
			"White|Black|Off-White|Navy", "organic cotton canvas|vegan leather|natural rubber soles",
			"everyday wear|weekend errands|travel"),
		leaf("Sandals", "SND", 2499, 12999,
			"Sandals|Sport Sandals|Slides|Flip-Flops", "Adjustable|Cork|Waterproof|Recycled",
			colours, "cork|recycled webbing|natural rubber",
			"beach holidays|river walks|summer in the city")),
	sub("Accessories", "Woolcraft|Tundra|Fieldhouse|Merino Mills|Northvale",
		"Naturally odour-resistant, even on multi-day trips.|"+
			"Soft enough to wear all day against the skin.|"+
			"One size fits most adults.|"+
			"Knitted in Portugal from traceable yarns.",
		leaf("Hats", "HAT", 1499, 5999,
			"Beanie|Cap|Bucket Hat|Sun Hat", "Merino|Waterproof|Packable|Fleece-Lined",
			colours, "merino wool|waxed cotton|recycled polyester",
			"winter walks|sunny hikes|festival days"),
		leaf("Gloves", "GLV", 1499, 8999,
			"Gloves|Mittens|Touchscreen Gloves|Liner Gloves", "Insulated|Waterproof|Merino|Leather",
			colours, "synthetic insulation|goatskin leather|merino wool",
			"ski days|cold commutes|winter cycling"),
		leaf("Socks", "SCK", 999, 2999,
			"Hiking Socks|Running Socks|Ski Socks|Everyday Socks", "Merino|Cushioned|Compression|Lightweight",
			"2-Pack|3-Pack|Crew|Ankle", "merino wool|nylon reinforcement|organic cotton",
			"long hikes|marathon training|ski trips")),
}}
