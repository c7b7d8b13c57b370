//! SCB's kommunkoder: the four-digit codes of Sweden's 290 kommuner.
//!
//! The first two digits are the län, which is also the region a kommun
//! belongs to (Gotland is a kommun with the region's responsibilities).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A validated kommunkod: one of the 290 in [`KOMMUNER`].
///
/// ```
/// use finsam_core::KommunKod;
/// let k: KommunKod = "0180".parse().unwrap();
/// assert_eq!(k.name(), "Stockholm");
/// assert_eq!(k.lan(), 1);
/// assert_eq!(k.to_string(), "0180");
/// assert!("0100".parse::<KommunKod>().is_err());
/// assert!("180".parse::<KommunKod>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KommunKod(u16);

impl KommunKod {
    /// The kommun for a numeric code, if it is one of the 290.
    ///
    /// ```
    /// use finsam_core::KommunKod;
    /// assert_eq!(KommunKod::new(2580).unwrap().name(), "Luleå");
    /// assert!(KommunKod::new(2599).is_none());
    /// ```
    pub fn new(code: u16) -> Option<KommunKod> {
        KOMMUNER.binary_search_by_key(&code, |&(c, _)| c).ok().map(|_| KommunKod(code))
    }

    /// The numeric code.
    pub fn code(self) -> u16 {
        self.0
    }

    /// The kommun's name.
    pub fn name(self) -> &'static str {
        KOMMUNER.binary_search_by_key(&self.0, |&(c, _)| c).map(|i| KOMMUNER[i].1).unwrap_or("")
    }

    /// The länskod (the first two digits), which names the region.
    pub fn lan(self) -> u8 {
        (self.0 / 100) as u8
    }

    /// Every kommun, in code order.
    pub fn all() -> impl Iterator<Item = KommunKod> {
        KOMMUNER.iter().map(|&(c, _)| KommunKod(c))
    }

    /// Parses exactly four digits that are a kommunkod.
    pub fn parse(text: &str) -> Option<KommunKod> {
        let t = text.trim();
        if t.len() != 4 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        t.parse::<u16>().ok().and_then(KommunKod::new)
    }
}

impl fmt::Display for KommunKod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.0)
    }
}

impl FromStr for KommunKod {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        KommunKod::parse(s).ok_or_else(|| format!("{s:?} is not one of SCB's kommunkoder"))
    }
}

impl Serialize for KommunKod {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for KommunKod {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// SCB's kommunkoder and names (the division in force since 2007), sorted by code.
pub const KOMMUNER: &[(u16, &str)] = &[
    // Stockholms län
    (114, "Upplands Väsby"),
    (115, "Vallentuna"),
    (117, "Österåker"),
    (120, "Värmdö"),
    (123, "Järfälla"),
    (125, "Ekerö"),
    (126, "Huddinge"),
    (127, "Botkyrka"),
    (128, "Salem"),
    (136, "Haninge"),
    (138, "Tyresö"),
    (139, "Upplands-Bro"),
    (140, "Nykvarn"),
    (160, "Täby"),
    (162, "Danderyd"),
    (163, "Sollentuna"),
    (180, "Stockholm"),
    (181, "Södertälje"),
    (182, "Nacka"),
    (183, "Sundbyberg"),
    (184, "Solna"),
    (186, "Lidingö"),
    (187, "Vaxholm"),
    (188, "Norrtälje"),
    (191, "Sigtuna"),
    (192, "Nynäshamn"),
    // Uppsala län
    (305, "Håbo"),
    (319, "Älvkarleby"),
    (330, "Knivsta"),
    (331, "Heby"),
    (360, "Tierp"),
    (380, "Uppsala"),
    (381, "Enköping"),
    (382, "Östhammar"),
    // Södermanlands län
    (428, "Vingåker"),
    (461, "Gnesta"),
    (480, "Nyköping"),
    (481, "Oxelösund"),
    (482, "Flen"),
    (483, "Katrineholm"),
    (484, "Eskilstuna"),
    (486, "Strängnäs"),
    (488, "Trosa"),
    // Östergötlands län
    (509, "Ödeshög"),
    (512, "Ydre"),
    (513, "Kinda"),
    (560, "Boxholm"),
    (561, "Åtvidaberg"),
    (562, "Finspång"),
    (563, "Valdemarsvik"),
    (580, "Linköping"),
    (581, "Norrköping"),
    (582, "Söderköping"),
    (583, "Motala"),
    (584, "Vadstena"),
    (586, "Mjölby"),
    // Jönköpings län
    (604, "Aneby"),
    (617, "Gnosjö"),
    (642, "Mullsjö"),
    (643, "Habo"),
    (662, "Gislaved"),
    (665, "Vaggeryd"),
    (680, "Jönköping"),
    (682, "Nässjö"),
    (683, "Värnamo"),
    (684, "Sävsjö"),
    (685, "Vetlanda"),
    (686, "Eksjö"),
    (687, "Tranås"),
    // Kronobergs län
    (760, "Uppvidinge"),
    (761, "Lessebo"),
    (763, "Tingsryd"),
    (764, "Alvesta"),
    (765, "Älmhult"),
    (767, "Markaryd"),
    (780, "Växjö"),
    (781, "Ljungby"),
    // Kalmar län
    (821, "Högsby"),
    (834, "Torsås"),
    (840, "Mörbylånga"),
    (860, "Hultsfred"),
    (861, "Mönsterås"),
    (862, "Emmaboda"),
    (880, "Kalmar"),
    (881, "Nybro"),
    (882, "Oskarshamn"),
    (883, "Västervik"),
    (884, "Vimmerby"),
    (885, "Borgholm"),
    // Gotlands län
    (980, "Gotland"),
    // Blekinge län
    (1060, "Olofström"),
    (1080, "Karlskrona"),
    (1081, "Ronneby"),
    (1082, "Karlshamn"),
    (1083, "Sölvesborg"),
    // Skåne län
    (1214, "Svalöv"),
    (1230, "Staffanstorp"),
    (1231, "Burlöv"),
    (1233, "Vellinge"),
    (1256, "Östra Göinge"),
    (1257, "Örkelljunga"),
    (1260, "Bjuv"),
    (1261, "Kävlinge"),
    (1262, "Lomma"),
    (1263, "Svedala"),
    (1264, "Skurup"),
    (1265, "Sjöbo"),
    (1266, "Hörby"),
    (1267, "Höör"),
    (1270, "Tomelilla"),
    (1272, "Bromölla"),
    (1273, "Osby"),
    (1275, "Perstorp"),
    (1276, "Klippan"),
    (1277, "Åstorp"),
    (1278, "Båstad"),
    (1280, "Malmö"),
    (1281, "Lund"),
    (1282, "Landskrona"),
    (1283, "Helsingborg"),
    (1284, "Höganäs"),
    (1285, "Eslöv"),
    (1286, "Ystad"),
    (1287, "Trelleborg"),
    (1290, "Kristianstad"),
    (1291, "Simrishamn"),
    (1292, "Ängelholm"),
    (1293, "Hässleholm"),
    // Hallands län
    (1315, "Hylte"),
    (1380, "Halmstad"),
    (1381, "Laholm"),
    (1382, "Falkenberg"),
    (1383, "Varberg"),
    (1384, "Kungsbacka"),
    // Västra Götalands län
    (1401, "Härryda"),
    (1402, "Partille"),
    (1407, "Öckerö"),
    (1415, "Stenungsund"),
    (1419, "Tjörn"),
    (1421, "Orust"),
    (1427, "Sotenäs"),
    (1430, "Munkedal"),
    (1435, "Tanum"),
    (1438, "Dals-Ed"),
    (1439, "Färgelanda"),
    (1440, "Ale"),
    (1441, "Lerum"),
    (1442, "Vårgårda"),
    (1443, "Bollebygd"),
    (1444, "Grästorp"),
    (1445, "Essunga"),
    (1446, "Karlsborg"),
    (1447, "Gullspång"),
    (1452, "Tranemo"),
    (1460, "Bengtsfors"),
    (1461, "Mellerud"),
    (1462, "Lilla Edet"),
    (1463, "Mark"),
    (1465, "Svenljunga"),
    (1466, "Herrljunga"),
    (1470, "Vara"),
    (1471, "Götene"),
    (1472, "Tibro"),
    (1473, "Töreboda"),
    (1480, "Göteborg"),
    (1481, "Mölndal"),
    (1482, "Kungälv"),
    (1484, "Lysekil"),
    (1485, "Uddevalla"),
    (1486, "Strömstad"),
    (1487, "Vänersborg"),
    (1488, "Trollhättan"),
    (1489, "Alingsås"),
    (1490, "Borås"),
    (1491, "Ulricehamn"),
    (1492, "Åmål"),
    (1493, "Mariestad"),
    (1494, "Lidköping"),
    (1495, "Skara"),
    (1496, "Skövde"),
    (1497, "Hjo"),
    (1498, "Tidaholm"),
    (1499, "Falköping"),
    // Värmlands län
    (1715, "Kil"),
    (1730, "Eda"),
    (1737, "Torsby"),
    (1760, "Storfors"),
    (1761, "Hammarö"),
    (1762, "Munkfors"),
    (1763, "Forshaga"),
    (1764, "Grums"),
    (1765, "Årjäng"),
    (1766, "Sunne"),
    (1780, "Karlstad"),
    (1781, "Kristinehamn"),
    (1782, "Filipstad"),
    (1783, "Hagfors"),
    (1784, "Arvika"),
    (1785, "Säffle"),
    // Örebro län
    (1814, "Lekeberg"),
    (1860, "Laxå"),
    (1861, "Hallsberg"),
    (1862, "Degerfors"),
    (1863, "Hällefors"),
    (1864, "Ljusnarsberg"),
    (1880, "Örebro"),
    (1881, "Kumla"),
    (1882, "Askersund"),
    (1883, "Karlskoga"),
    (1884, "Nora"),
    (1885, "Lindesberg"),
    // Västmanlands län
    (1904, "Skinnskatteberg"),
    (1907, "Surahammar"),
    (1960, "Kungsör"),
    (1961, "Hallstahammar"),
    (1962, "Norberg"),
    (1980, "Västerås"),
    (1981, "Sala"),
    (1982, "Fagersta"),
    (1983, "Köping"),
    (1984, "Arboga"),
    // Dalarnas län
    (2021, "Vansbro"),
    (2023, "Malung-Sälen"),
    (2026, "Gagnef"),
    (2029, "Leksand"),
    (2031, "Rättvik"),
    (2034, "Orsa"),
    (2039, "Älvdalen"),
    (2061, "Smedjebacken"),
    (2062, "Mora"),
    (2080, "Falun"),
    (2081, "Borlänge"),
    (2082, "Säter"),
    (2083, "Hedemora"),
    (2084, "Avesta"),
    (2085, "Ludvika"),
    // Gävleborgs län
    (2101, "Ockelbo"),
    (2104, "Hofors"),
    (2121, "Ovanåker"),
    (2132, "Nordanstig"),
    (2161, "Ljusdal"),
    (2180, "Gävle"),
    (2181, "Sandviken"),
    (2182, "Söderhamn"),
    (2183, "Bollnäs"),
    (2184, "Hudiksvall"),
    // Västernorrlands län
    (2260, "Ånge"),
    (2262, "Timrå"),
    (2280, "Härnösand"),
    (2281, "Sundsvall"),
    (2282, "Kramfors"),
    (2283, "Sollefteå"),
    (2284, "Örnsköldsvik"),
    // Jämtlands län
    (2303, "Ragunda"),
    (2305, "Bräcke"),
    (2309, "Krokom"),
    (2313, "Strömsund"),
    (2321, "Åre"),
    (2326, "Berg"),
    (2361, "Härjedalen"),
    (2380, "Östersund"),
    // Västerbottens län
    (2401, "Nordmaling"),
    (2403, "Bjurholm"),
    (2404, "Vindeln"),
    (2409, "Robertsfors"),
    (2417, "Norsjö"),
    (2418, "Malå"),
    (2421, "Storuman"),
    (2422, "Sorsele"),
    (2425, "Dorotea"),
    (2460, "Vännäs"),
    (2462, "Vilhelmina"),
    (2463, "Åsele"),
    (2480, "Umeå"),
    (2481, "Lycksele"),
    (2482, "Skellefteå"),
    // Norrbottens län
    (2505, "Arvidsjaur"),
    (2506, "Arjeplog"),
    (2510, "Jokkmokk"),
    (2513, "Överkalix"),
    (2514, "Kalix"),
    (2518, "Övertorneå"),
    (2521, "Pajala"),
    (2523, "Gällivare"),
    (2560, "Älvsbyn"),
    (2580, "Luleå"),
    (2581, "Piteå"),
    (2582, "Boden"),
    (2583, "Haparanda"),
    (2584, "Kiruna"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn there_are_290_sorted_unique_codes() {
        assert_eq!(KOMMUNER.len(), 290);
        assert!(KOMMUNER.windows(2).all(|w| w[0].0 < w[1].0));
        // 21 län, each code's first two digits a län code.
        let mut lan: Vec<u8> = KommunKod::all().map(KommunKod::lan).collect();
        lan.dedup();
        assert_eq!(lan, vec![1, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13, 14, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    }
}
