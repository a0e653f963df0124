"""Simulated comments with planted truths, in French and Romanian: the pain and glory words
of a moment planted at known rates, written with their inflections, often without
diacritics (phone keyboards) and with typos, among filler words both sides use alike.
benchmarks/comment_terms.py and the tests check the distinguishing terms on them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from surveyapp.domain.comment_words import analyzer, fold

#: Filler: the function words of a sentence (most are stopwords).
_FILLER = {
    "fr": "le la les un une des et est très pas de du en au avec pour sur mais il elle "
    "nous on je j'ai c'était ce qui que vraiment encore",
    "ro": "și este foarte nu de la cu pentru pe dar el ea noi am a fost era ce care că "
    "un o chiar încă",
}
#: Content words both sides use alike, each with its inflections.
_NEUTRAL = {
    "fr": (
        "commande/commandes produit/produits magasin/magasins vendeur/vendeuse/"
        "vendeurs caisse/caisses site application/applications colis carte/cartes "
        "compte/comptes client/clients/cliente conseiller/conseillère téléphone "
        "agence/agences dossier/dossiers facture/factures paiement/paiements adresse "
        "boutique rayon/rayons article/articles question/questions réponse/réponses "
        "information/informations semaine/semaines jour/jours heure/heures "
        "minute/minutes matin soir équipe service personnel voiture parking écran "
        "message/messages courrier contrat/contrats offre/offres demande/demandes "
        "venu/venue pris/prise trouvé/trouvée reçu/reçue appelé demandé acheté payé "
        "ouvert/ouverte choisi regardé"
    ),
    "ro": (
        "comandă/comanda/comenzi produs/produsul/produse magazin/magazinul/"
        "magazine vânzător/vânzătorul/vânzătoare aplicație/aplicația/aplicații "
        "colet/coletul/colete card/cardul cont/contul/conturi client/clientul/clienți "
        "consultant/consultantul telefon/telefonul agenție/agenția "
        "programare/programarea dosar/dosarul factură/factura/facturi plată/plata/plăți "
        "adresă/adresa raft/raftul/rafturi articol/articolul întrebare/întrebarea/"
        "întrebări răspuns/răspunsul informație/informații săptămână/săptămâna "
        "ziua/zile oră/ora/ore minut/minute dimineață seară/seara echipă/echipa "
        "serviciu/serviciul personal/personalul mașină/mașina parcare/parcarea "
        "ecran/ecranul mesaj/mesajul/mesaje contract/contractul ofertă/oferta "
        "cerere/cererea venit luat găsit primit sunat cerut cumpărat plătit deschis "
        "ales"
    ),
}
#: The words a moment's pain or glory may be about; a journey plants a few of each, the
#: others are used alike by both sides.
_POOL = {
    "fr": {
        "pain": "attente/attendre/attendu retard/retards lent/lente/lents "
        "impoli/impolie/impolis cassé/cassée/cassés bruyant/bruyante sale/sales "
        "compliqué/compliquée/compliqués erreur/erreurs annulé/annulée/annulation",
        "glory": "accueil/accueillant/accueillante rapide/rapides sympathique/"
        "sympathiques souriant/souriante/souriants efficace/efficaces propre/propres "
        "agréable/agréables professionnel/professionnelle conseil/conseils "
        "simple/simples",
    },
    "ro": {
        "pain": "întârziere/întârzierea/întârzieri/întârzierii așteptare/așteptarea "
        "lent/lentă nepoliticos/nepoliticoasă/nepoliticoși stricat/stricată/stricate "
        "murdar/murdară/murdare complicat/complicată/complicate greșeală/greșeala/greșeli "
        "anulat/anulată zgomot/zgomotul",
        "glory": "amabil/amabilă/amabili rapid/rapidă/rapide prietenos/prietenoasă/"
        "prietenoși zâmbitor/zâmbitoare eficient/eficientă curat/curată/curate "
        "plăcut/plăcută/plăcute profesionist/profesionistă/profesioniști "
        "sfat/sfatul/sfaturi simplu/simplă",
    },
}
_PLAIN = str.maketrans("àâäçéèêëîïôöùûüÿăâîșțşţ", "aaaceeeeiioouuuyaaistst")


@dataclass(frozen=True)
class SimulatedMoment:
    """A moment's simulated comments and what was planted: the forms of each planted
    word (its first form names it) by side."""

    locale: str
    pain_comments: list[str]
    glory_comments: list[str]
    planted: dict[str, list[list[str]]]


def simulate(
    seed: int,
    locale: str,
    per_side: int,
    *,
    planted_per_side: int = 3,
    on_rate: float = 0.15,
    off_rate: float = 0.04,
    plain_rate: float = 0.3,
    typo_rate: float = 0.04,
) -> SimulatedMoment:
    """``per_side`` pain and glory comments in ``locale`` (fr or ro). Each side plants
    ``planted_per_side`` words, held by ``on_rate`` of its comments and ``off_rate`` of
    the other side's; ``plain_rate`` of comments lose their diacritics, and each content
    word has a typo with probability ``typo_rate``. ``planted_per_side=0``: nothing
    sets the sides apart."""
    rng = random.Random(seed)  # noqa: S311 # nosec B311 - a simulation
    pools = {side: _inflected(words) for side, words in _POOL[locale].items()}
    planted = {side: rng.sample(pool, planted_per_side) for side, pool in pools.items()}
    neutral = _inflected(_NEUTRAL[locale]) + [
        w for side, pool in pools.items() for w in pool if w not in planted[side]
    ]
    rng.shuffle(neutral)
    # Zipf's law: the r-th most frequent word is used in proportion to 1/r.
    weights = [1 / rank for rank in range(1, len(neutral) + 1)]

    def comment(side: str) -> str:
        other = "glory" if side == "pain" else "pain"
        words = []
        for _ in range(rng.randint(4, 16)):
            if rng.random() < 0.45:
                words.append(rng.choice(_FILLER[locale].split()))
            else:
                forms = rng.choices(neutral, weights)[0]
                words.append(_typo(rng, forms, typo_rate))
        for planted_side, rate in ((side, on_rate), (other, off_rate)):
            for forms in planted[planted_side]:
                if rng.random() < rate:
                    words.insert(rng.randrange(len(words) + 1), _typo(rng, forms, typo_rate))
        text = " ".join(words)
        if rng.random() < plain_rate:
            text = text.translate(_PLAIN)
        return text[:1].upper() + text[1:] + "."

    return SimulatedMoment(
        locale,
        [comment("pain") for _ in range(per_side)],
        [comment("glory") for _ in range(per_side)],
        planted,
    )


def planted_keys(locale: str, planted: dict) -> dict[str, dict[str, set[str]]]:
    """Each planted word's term keys (of all its forms, with and without diacritics)."""
    reader = analyzer(locale)
    return {
        side: {
            forms[0]: {k for f in forms for text in (f, fold(f)) for k, _, _ in reader.words(text)}
            for forms in words
        }
        for side, words in planted.items()
    }


def judge(analysis, truth) -> tuple[int, int]:
    """(planted words found on their side, claims of no planted word of their side)."""
    found = false = 0
    for side in ("pain", "glory"):
        side_keys = set().union(*truth[side].values()) if truth[side] else set()
        claimed = getattr(analysis, side)
        claimed_keys = {t.key for t in claimed}
        found += sum(1 for keys in truth[side].values() if keys & claimed_keys)
        false += sum(1 for t in claimed if not set(t.key.split()) & side_keys)
    return found, false


def _inflected(words: str) -> list[list[str]]:
    """Words separated by spaces, each as its forms separated by slashes."""
    return [word.split("/") for word in words.split()]


def _typo(rng: random.Random, forms: list[str], rate: float) -> str:
    word = rng.choice(forms)
    if len(word) < 4 or rng.random() >= rate:
        return word
    i = rng.randrange(1, len(word) - 1)
    return rng.choice([word[:i] + word[i + 1 :], word[:i] + word[i] + word[i:]])
