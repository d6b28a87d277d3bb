package seed

// The built-in category tree and the words its products are named and described with. Every
// brand is invented. Lists are "|"-separated to keep a leaf to a few lines; order matters,
// because generation picks by index.

const colours = "Black|Navy|Storm Grey|Forest Green|Rust|Sand"

var departments = []department{
	{name: "Outdoor", code: "OUT", subs: []subcategory{
		sub("Camping", "Trailblazer|Northfold|Basecamp|Alpenglow|Cedar Ridge",
			"Comes with a waterproof stuff sack for wet-weather trips.|"+
				"Packs down small enough to strap to the outside of a backpack.|"+
				"Every part is replaceable, and spares are sold separately.|"+
				"Field-tested by our gear team across three seasons.",
			leaf("Tents", "TEN", 8999, 59999,
				"Dome Tent|Backpacking Tent|Tunnel Tent|Trekking Pole Tent", "Waterproof|Ultralight|Freestanding|Four-Season",
				"1-Person|2-Person|3-Person|4-Person", "ripstop nylon|silicone-coated polyester|aluminium poles",
				"backpacking trips|car camping|festival weekends|alpine camps"),
			leaf("Sleeping Bags", "SLB", 4999, 39999,
				"Sleeping Bag|Mummy Bag|Camping Quilt|Double Sleeping Bag", "Down|Synthetic|Three-Season|Ultralight",
				"Regular|Long|Wide", "water-resistant duck down|recycled synthetic insulation|brushed polyester lining",
				"cold nights in the mountains|summer camping|bikepacking"),
			leaf("Camp Kitchen", "CKT", 1499, 24999,
				"Camp Stove|Cook Set|Insulated Mug|Water Filter", "Compact|Titanium|Stainless|Folding",
				"Solo|Duo|1 L|2-Burner", "hard-anodised aluminium|titanium|BPA-free plastic",
				"quick trail lunches|family campsites|boiling water at altitude")),
		sub("Hiking", "Ridgeline|Switchback|Peakform|Wildtrail|Cairn",
			"Reinforced stress points stand up to scree, brambles and baggage handlers.|"+
				"A waterproof coating sheds rain and wet snow.|"+
				"Reflective details help you stay visible at dusk.|"+
				"Weighs less than you would expect for the size.",
			leaf("Backpacks", "BPK", 3999, 29999,
				"Daypack|Hiking Backpack|Trekking Pack|Hydration Pack", "Waterproof|Ventilated|Lightweight|Roll-Top",
				"18 L|28 L|40 L|65 L", "recycled nylon|waxed canvas|Dyneema composite",
				"day hikes|multi-day treks|daily commuting"),
			leaf("Trekking Poles", "TRP", 2999, 17999,
				"Trekking Poles|Hiking Staff|Nordic Walking Poles", "Carbon|Folding|Telescopic|Shock-Absorbing",
				"110-130 cm|115-135 cm|Pair", "carbon fibre|7075 aluminium|natural cork",
				"steep descents|river crossings|long-distance trails"),
			leaf("Headlamps", "HLP", 1499, 12999,
				"Headlamp|Head Torch|Camping Lantern", "Rechargeable|Waterproof|Red-Light|Motion-Sensing",
				"300 lm|500 lm|900 lm", "impact-resistant polycarbonate|anodised aluminium",
				"night hikes|early alpine starts|power cuts at home")),
		sub("Water Sports", "Bluewater|Tidecraft|Riptide|Seafarer|Kelpline",
			"Fully waterproof and designed to float if dropped overboard.|"+
				"Quick-drying materials are ready to pack after a fresh-water rinse.|"+
				"Salt-water resistant hardware will not corrode.|"+
				"UPF 50+ fabric blocks harmful rays on long days on the water.",
			leaf("Dry Bags", "DRY", 1299, 8999,
				"Dry Bag|Dry Backpack|Phone Pouch|Waterproof Duffel", "Waterproof|Roll-Top|Floating|Heavy-Duty",
				"5 L|10 L|20 L|40 L", "TPU-laminated nylon|PVC tarpaulin",
				"kayaking trips|beach days|canoe expeditions"),
			leaf("Wetsuits", "WET", 7999, 44999,
				"Wetsuit|Shorty Wetsuit|Swim Vest|Rash Guard", "Thermal|Stretch|Back-Zip|Chest-Zip",
				"3/2 mm|4/3 mm|5/4 mm", "limestone neoprene|recycled neoprene|stretch neoprene",
				"cold-water surfing|open-water swimming|triathlon training"),
			leaf("Paddle Boards", "PDL", 29999, 149999,
				"Paddle Board|Touring Board|Kayak Paddle", "Inflatable|Touring|All-Round|Carbon",
				"320 cm|350 cm|380 cm", "drop-stitch PVC|fibreglass|carbon fibre",
				"calm lakes|coastal touring|yoga on the water")),
	}},
	{name: "Kitchen", code: "KIT", subs: []subcategory{
		sub("Cookware", "Ironhearth|Copperline|Maison Forge|Hearthstone|Castwell",
			"Oven-safe to 260 C and suitable for gas, electric and induction hobs.|"+
				"The handles stay cool on the stovetop.|"+
				"Dishwasher safe, though hand washing keeps the finish looking new for longer.|"+
				"A lifetime warranty covers any manufacturing defect.",
			leaf("Skillets", "SKL", 1999, 19999,
				"Skillet|Frying Pan|Griddle Pan|Grill Pan", "Cast-Iron|Carbon Steel|Non-Stick|Enamelled",
				"20 cm|24 cm|26 cm|30 cm", "pre-seasoned cast iron|blue carbon steel|ceramic non-stick coating",
				"searing steaks|weeknight stir-fries|baking cornbread"),
			leaf("Saucepans", "SCP", 2499, 24999,
				"Saucepan|Stockpot|Saute Pan|Saucepan Set", "Stainless|Copper-Core|Tri-Ply|Non-Stick",
				"1.5 L|2 L|3 L|8 L", "tri-ply stainless steel|copper-core steel|hard-anodised aluminium",
				"simmering sauces|boiling pasta|batch cooking"),
			leaf("Dutch Ovens", "DOV", 4999, 39999,
				"Dutch Oven|Casserole Dish|Braiser|Cocotte", "Enamelled Cast-Iron|Cast-Iron|Oval|Round",
				"2.8 L|4.2 L|5.3 L|6.7 L", "enamelled cast iron|heavy cast iron",
				"slow-cooked stews|sourdough baking|braising short ribs")),
		sub("Coffee & Tea", "Crema Lab|Morning Ritual|Bellavista|Kettleworks|Roastery",
			"Makes cafe-quality coffee and tea at home.|"+
				"Removable parts rinse clean in seconds.|"+
				"Auto shut-off saves energy if you forget to switch off.|"+
				"Designed with baristas and tested on thousands of cups.",
			leaf("Espresso Machines", "ESP", 14999, 149999,
				"Espresso Machine|Espresso Maker|Bean-to-Cup Machine|Lever Espresso Machine",
				"Dual-Boiler|Semi-Automatic|Manual|Compact", "15 bar|Pro|Mini|Plus",
				"brushed stainless steel|chrome-plated brass",
				"morning espresso|silky flat whites|weekend cappuccinos"),
			leaf("Coffee Grinders", "GRD", 2999, 59999,
				"Burr Grinder|Coffee Grinder|Hand Grinder|Espresso Grinder", "Conical|Flat|Stepless|Electric",
				"40 mm|54 mm|64 mm", "hardened stainless steel burrs|ceramic burrs",
				"espresso and pour-over|French press coffee|cold brew"),
			leaf("Kettles", "KTL", 2499, 19999,
				"Kettle|Gooseneck Kettle|Tea Kettle|Teapot", "Electric|Variable-Temperature|Cordless|Stovetop",
				"0.9 L|1.2 L|1.7 L", "stainless steel|borosilicate glass|matte enamel",
				"pour-over coffee|green tea|quick cups of tea")),
		sub("Knives & Tools", "Kisaki|Blackwood|Sharpline|Hollowell|Steelmark",
			"Each piece is hand-finished in small batches.|"+
				"Balanced to sit comfortably in the hand through long prep sessions.|"+
				"Comes gift-boxed with a care guide.|"+
				"Easy to keep in top shape at home.",
			leaf("Chef's Knives", "KNF", 2999, 29999,
				"Chef's Knife|Santoku Knife|Paring Knife|Bread Knife", "Damascus|Forged|German Steel|Japanese",
				"9 cm|15 cm|20 cm|24 cm", "VG-10 steel|high-carbon stainless steel|olive wood",
				"dicing onions|slicing crusty bread|filleting fish"),
			leaf("Cutting Boards", "CUT", 1499, 12999,
				"Cutting Board|Chopping Block|Serving Board", "End-Grain|Walnut|Bamboo|Reversible",
				"30 x 20 cm|40 x 30 cm|50 x 35 cm", "end-grain walnut|acacia wood|bamboo",
				"carving roasts|serving cheese|daily chopping"),
			leaf("Kitchen Utensils", "UTN", 499, 4999,
				"Spatula|Whisk|Tongs|Ladle|Utensil Set", "Silicone|Stainless|Olive Wood|Heat-Resistant",
				"25 cm|30 cm|5-Piece", "food-grade silicone|stainless steel|olive wood",
				"non-stick pans|flipping pancakes|serving soups")),
	}},
	{name: "Electronics", code: "ELE", subs: []subcategory{
		sub("Audio", "Sonora|Wavecrest|Hush Audio|Arcline|Decibel Works",
			"Bluetooth 5.3 keeps the connection stable across the room.|"+
				"Active noise cancellation quiets trains, planes and open-plan offices.|"+
				"A full charge over USB-C takes under two hours.|"+
				"Tuned by audio engineers for a warm, detailed sound.",
			leaf("Headphones", "HPH", 4999, 49999,
				"Headphones|Studio Headphones|Gaming Headset", "Wireless|Noise-Cancelling|Open-Back|Over-Ear",
				"Mk II|SE|Pro|Lite", "memory foam|aluminium|protein leather",
				"long flights|mixing music|daily commuting"),
			leaf("Speakers", "SPK", 2999, 59999,
				"Bluetooth Speaker|Bookshelf Speakers|Soundbar|Smart Speaker", "Portable|Waterproof|Stereo|Rugged",
				"Mini|Max|2.0|Plus", "woven fabric|real wood veneer",
				"garden parties|movie nights|the shower"),
			leaf("Earbuds", "EBD", 1999, 29999,
				"Earbuds|Sport Earbuds|True Wireless Earbuds", "Noise-Cancelling|Sweat-Resistant|Wireless",
				"Gen 3|Pro|Lite|Air", "soft silicone|matte polycarbonate",
				"running|gym sessions|calls on the go")),
		sub("Computing", "Keystone|Pixelcraft|Bytewise|Lumen Labs|Northbridge",
			"Works with Windows, macOS and Linux without drivers.|"+
				"Designed for long sessions without strain.|"+
				"A two-year warranty comes as standard.|"+
				"Plug-and-play USB-C keeps your desk tidy.",
			leaf("Keyboards", "KBD", 3999, 24999,
				"Mechanical Keyboard|Wireless Keyboard|Low-Profile Keyboard", "Hot-Swappable|Backlit|Tenkeyless|Ergonomic",
				"60%|75%|Full-Size", "PBT plastic|anodised aluminium|brass",
				"coding marathons|gaming|writing"),
			leaf("Mice", "MSE", 1999, 14999,
				"Mouse|Gaming Mouse|Vertical Mouse|Trackball", "Wireless|Ergonomic|Ultralight|Silent",
				"Mini|Pro|Plus|V2", "textured rubber|lightweight ABS",
				"all-day office work|FPS gaming|travel"),
			leaf("Monitors", "MON", 12999, 129999,
				"Monitor|Gaming Monitor|Ultrawide Monitor|Portable Monitor", "4K|IPS|Curved|144 Hz",
				"24-inch|27-inch|32-inch|34-inch", "matte anti-glare glass|recycled aluminium",
				"photo editing|spreadsheets|gaming")),
		sub("Cameras", "Aperture|Lumiq|Framewise|Brightfield|Vantage",
			"Weather-sealed against dust and light rain.|"+
				"Pairs with the companion app for instant transfers.|"+
				"Image stabilisation smooths out handheld footage.|"+
				"A padded carry pouch is included.",
			leaf("Action Cameras", "ACM", 9999, 49999,
				"Action Camera|Helmet Camera|360 Camera", "Waterproof|4K|Stabilised|Rugged",
				"Gen 5|Mini|Max|Pro", "ruggedised polycarbonate|hardened glass",
				"mountain biking|snorkelling|travel vlogs"),
			leaf("Lenses", "LNS", 19999, 149999,
				"Prime Lens|Zoom Lens|Macro Lens|Wide-Angle Lens", "Fast|Weather-Sealed|Compact|Full-Frame",
				"35 mm f/1.8|50 mm f/1.4|24-70 mm f/2.8|90 mm f/2.8", "aspherical glass|magnesium alloy",
				"portraits|street photography|landscapes"),
			leaf("Tripods", "TRI", 2999, 39999,
				"Tripod|Travel Tripod|Monopod|Camera Gimbal", "Carbon|Aluminium|Compact|Fluid-Head",
				"3-Section|4-Section|5-Section", "carbon fibre|machined aluminium",
				"long exposures|video work|travel photography")),
	}},
	sportsDepartment,
	homeDepartment,
	apparelDepartment,
}
