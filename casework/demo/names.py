"""Norwegian names and places for demo data."""

FIRST_NAMES = (
    "Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Bjørg",
    "Hilde", "Randi", "Solveig", "Nina", "Ragnhild", "Silje", "Ida", "Nora", "Emma", "Sofie",
    "Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell", "Knut", "Arne", "Svein", "Thomas",
    "Hans", "Geir", "Tor", "Morten", "Terje", "Odd", "Erik", "Rune", "Trond", "Magnus",
    "Sindre", "Håkon", "Øystein", "Åse", "Gunnar", "Jørgen", "Tone", "Sigrid", "Ragnar", "Eirik",
)
LAST_NAMES = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen",
    "Johannessen", "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen",
    "Lund", "Sørensen", "Jakobsen", "Moen", "Gundersen", "Iversen", "Strand", "Solberg",
    "Svendsen", "Eide", "Knutsen", "Martinsen", "Paulsen", "Bakken", "Kristoffersen", "Mathisen",
    "Lie", "Amundsen", "Nguyen", "Rasmussen", "Ali", "Lunde", "Solheim", "Berge", "Moe",
    "Nygård", "Bakke", "Kristensen", "Fredriksen", "Holm", "Lien", "Hauge", "Christensen",
    "Andresen", "Nielsen", "Knudsen", "Evensen", "Sæther", "Aas", "Myhre", "Hanssen", "Ahmed",
    "Haugland", "Thomassen", "Sivertsen", "Simonsen", "Danielsen", "Berntsen", "Sandvik",
    "Rønning", "Arnesen", "Antonsen", "Næss", "Vik", "Haug", "Ellingsen", "Thorsen",
)
STREETS = (
    "Storgata", "Kirkeveien", "Skolegata", "Fjordveien", "Strandgata", "Parkveien",
    "Bakkeveien", "Sjøgata", "Markveien", "Løkkeveien", "Granveien", "Bjørkeveien",
    "Furuveien", "Solbakken", "Havnegata", "Torggata",
)
# (postal code, place) in the fictional demo municipality
PLACES = (
    ("4870", "Strandvik"), ("4871", "Strandvik"), ("4872", "Nordstrand"), ("4873", "Sørvika"),
    ("4874", "Haugen"), ("4875", "Lia"),
)
RELATIONS = ("datter", "sønn", "søster", "bror", "ektefelle", "samboer", "mor", "far", "nevø", "niese")
