"""Applicants and inventors of the sample.

A few real competitors (the names an escort programme watches) stand beside invented
companies, each with its home country and, where its home office writes it so, its name in
the local script: the OPS "original" format carries that name, the "epodoc" format the
romanised one.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Applicant:
    name: str  # as USPTO and the EP publication server write it
    native: str  # the name in the home office's script, '' where it is the same
    country: str
    city: str

    def epodoc(self) -> str:
        """The name as OPS's epodoc format writes it: upper case, no punctuation, ``[CC]``."""
        bare = " ".join(re.sub(r"[.,]", "", self.name.upper()).split())
        return f"{bare} [{self.country}]"


APPLICANTS: dict[str, Applicant] = {
    "honda": Applicant("HONDA MOTOR CO., LTD.", "本田技研工業株式会社", "JP", "Tokyo"),
    "yamaha": Applicant(
        "YAMAHA HATSUDOKI KABUSHIKI KAISHA", "ヤマハ発動機株式会社", "JP", "Iwata-shi, Shizuoka"
    ),
    "suzuki": Applicant("SUZUKI MOTOR CORPORATION", "スズキ株式会社", "JP", "Hamamatsu-shi, Shizuoka"),
    "tvs": Applicant("TVS MOTOR COMPANY LIMITED", "", "IN", "Chennai"),
    "piaggio": Applicant("PIAGGIO & C. S.P.A.", "", "IT", "Pontedera"),
    "mekong": Applicant("MEKONG MOTOR WORKS JSC", "CÔNG TY CỔ PHẦN MEKONG MOTOR WORKS", "VN", "Can Tho"),
    "anatolia": Applicant(
        "ANATOLIA MOTOSIKLET SANAYI A.S.", "ANATOLİA MOTOSİKLET SANAYİ A.Ş.", "TR", "Bursa"
    ),
    "catl": Applicant(
        "CONTEMPORARY AMPEREX TECHNOLOGY CO., LIMITED",
        "宁德时代新能源科技股份有限公司",
        "CN",
        "Ningde, Fujian",
    ),
    "lges": Applicant("LG ENERGY SOLUTION, LTD.", "주식회사 엘지에너지솔루션", "KR", "Seoul"),
    "sdi": Applicant("SAMSUNG SDI CO., LTD.", "삼성에스디아이 주식회사", "KR", "Yongin-si, Gyeonggi-do"),
    "byd": Applicant("BYD COMPANY LIMITED", "比亚迪股份有限公司", "CN", "Shenzhen, Guangdong"),
    "panasonic": Applicant(
        "PANASONIC ENERGY CO., LTD.", "パナソニックエナジー株式会社", "JP", "Moriguchi-shi, Osaka"
    ),
    "voltaris": Applicant("VOLTARIS ENERGY GMBH", "", "DE", "Stuttgart"),
    "huaxin": Applicant("HUAXIN POWER BATTERY CO., LTD.", "华新动力电池有限公司", "CN", "Changzhou, Jiangsu"),
    "signify": Applicant("SIGNIFY HOLDING B.V.", "", "NL", "Eindhoven"),
    "nichia": Applicant("NICHIA CORPORATION", "日亜化学工業株式会社", "JP", "Anan-shi, Tokushima"),
    "seoulsemi": Applicant(
        "SEOUL SEMICONDUCTOR CO., LTD.", "서울반도체 주식회사", "KR", "Ansan-si, Gyeonggi-do"
    ),
    "osram": Applicant("AMS-OSRAM INTERNATIONAL GMBH", "", "DE", "Regensburg"),
    "lumencraft": Applicant("LUMENCRAFT LIGHTING INC.", "", "US", "Austin, TX"),
    "guangyao": Applicant(
        "GUANGYAO PHOTOELECTRIC CO., LTD.", "光耀光电有限公司", "CN", "Zhongshan, Guangdong"
    ),
    "siemens": Applicant("SIEMENS MOBILITY GMBH", "", "DE", "München"),
    "crrc": Applicant(
        "CRRC QINGDAO SIFANG CO., LTD.", "中车青岛四方机车车辆股份有限公司", "CN", "Qingdao, Shandong"
    ),
    "alstom": Applicant("ALSTOM HOLDINGS", "", "FR", "Saint-Ouen-sur-Seine"),
    "hitachi": Applicant("HITACHI RAIL LIMITED", "", "GB", "London"),
    "stadler": Applicant("STADLER RAIL AG", "", "CH", "Bussnang"),
    "iberiarail": Applicant("IBERIA RAIL SYSTEMS S.L.", "", "ES", "Zaragoza"),
    "zhonglian": Applicant(
        "ZHONGLIAN RAIL EQUIPMENT CO., LTD.", "中联轨道装备有限公司", "CN", "Zhuzhou, Hunan"
    ),
    "medtronic": Applicant("MEDTRONIC, INC.", "", "US", "Minneapolis, MN"),
    "olympus": Applicant("OLYMPUS CORPORATION", "オリンパス株式会社", "JP", "Hachioji-shi, Tokyo"),
    "terumo": Applicant("TERUMO KABUSHIKI KAISHA", "テルモ株式会社", "JP", "Tokyo"),
    "mindray": Applicant(
        "SHENZHEN MINDRAY BIO-MEDICAL ELECTRONICS CO., LTD.",
        "深圳迈瑞生物医疗电子股份有限公司",
        "CN",
        "Shenzhen",
    ),
    "bostonsci": Applicant("BOSTON SCIENTIFIC SCIMED, INC.", "", "US", "Maple Grove, MN"),
    "northbridge": Applicant("NORTHBRIDGE MEDICAL LLC", "", "US", "Cleveland, OH"),
    "hanseong": Applicant("HANSEONG MEDITECH CO., LTD.", "한성메디텍 주식회사", "KR", "Wonju-si, Gangwon-do"),
    "dji": Applicant(
        "SZ DJI TECHNOLOGY CO., LTD.", "深圳市大疆创新科技有限公司", "CN", "Shenzhen, Guangdong"
    ),
    "autel": Applicant(
        "AUTEL ROBOTICS CO., LTD.", "深圳市道通智能航空技术股份有限公司", "CN", "Shenzhen, Guangdong"
    ),
    "parrot": Applicant("PARROT DRONES", "", "FR", "Paris"),
    "skydio": Applicant("SKYDIO, INC.", "", "US", "San Mateo, CA"),
    "aerovane": Applicant("AEROVANE SYSTEMS LTD", "", "GB", "Bristol"),
    "tianyu": Applicant(
        "TIANYU INTELLIGENT AVIATION CO., LTD.", "天宇智能航空有限公司", "CN", "Xi'an, Shaanxi"
    ),
    "nordkap": Applicant("NORDKAP FOODS AB", "", "SE", "Malmö"),
    "greenfield": Applicant("GREENFIELD NUTRITION INC.", "", "US", "Madison, WI"),
    "saopaulo": Applicant("ALIMENTOS SERRA AZUL LTDA", "", "BR", "São Paulo"),
    "kansaichem": Applicant("KANSAI FINE CHEMICAL CO., LTD.", "関西ファインケミカル株式会社", "JP", "Osaka"),
    "polymera": Applicant("POLYMERA AG", "", "DE", "Ludwigshafen"),
    "basf": Applicant("BASF SE", "", "DE", "Ludwigshafen am Rhein"),
    "yongxin": Applicant(
        "YONGXIN PACKAGING MATERIALS CO., LTD.", "永信包装材料有限公司", "CN", "Foshan, Guangdong"
    ),
    "datastream": Applicant("DATASTREAM SOLUTIONS LLC", "", "US", "Seattle, WA"),
    "seohan": Applicant("SEOHAN DATA CO., LTD.", "서한데이터 주식회사", "KR", "Seongnam-si, Gyeonggi-do"),
    "packwell": Applicant("PACKWELL CONTAINERS LIMITED", "", "GB", "Leeds"),
    "texforma": Applicant("TEXFORMA S.P.A.", "", "IT", "Biella"),
    "jiangnan": Applicant(
        "JIANGNAN TEXTILE TECHNOLOGY CO., LTD.", "江南纺织科技有限公司", "CN", "Wuxi, Jiangsu"
    ),
    "belltone": Applicant("BELLTONE CYCLE PARTS CO., LTD.", "", "TW", "Taichung"),
}

# The real companies among them: the competitors the shipped watchlists name.
COMPETITORS = frozenset(
    "honda yamaha suzuki tvs piaggio catl lges sdi byd panasonic signify nichia seoulsemi osram siemens crrc"
    " alstom hitachi stadler medtronic olympus terumo mindray bostonsci dji autel parrot skydio".split()
)

# Family names first, as the offices write Asian names; given names second.
_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "CN": (
        ("WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHAO"),
        ("Wei", "Fang", "Lei", "Jun", "Yan", "Hao"),
    ),
    "TW": (("LIN", "CHEN", "HUANG", "WU"), ("Chih-Ming", "Mei-Ling", "Yu-Ting", "Chun-Hsien")),
    "JP": (
        ("SATO", "SUZUKI", "TAKAHASHI", "TANAKA", "WATANABE", "ITO", "NAKAMURA"),
        ("Hiroshi", "Takeshi", "Yuki", "Kenji", "Naoko", "Daisuke"),
    ),
    "KR": (
        ("KIM", "LEE", "PARK", "CHOI", "JUNG", "KANG"),
        ("Min-su", "Ji-hoon", "Seo-yeon", "Hyun-woo", "Eun-ji"),
    ),
    "IN": (("SHARMA", "KUMAR", "PATEL", "RAO", "IYER"), ("Rahul", "Priya", "Arun", "Deepa", "Karthik")),
    "VN": (("NGUYEN", "TRAN", "LE", "PHAM"), ("Van An", "Thi Lan", "Minh Duc", "Thu Ha")),
    "BR": (("SILVA", "SANTOS", "OLIVEIRA", "SOUZA"), ("João", "Maria", "Lucas", "Ana")),
    "TR": (("YILMAZ", "KAYA", "DEMİR", "ŞAHİN"), ("Mehmet", "Ayşe", "Emre", "Zeynep")),
    "DE": (
        ("MÜLLER", "SCHMIDT", "SCHNEIDER", "FISCHER", "WEBER"),
        ("Stefan", "Anna", "Thomas", "Jürgen", "Julia"),
    ),
    "FR": (("MARTIN", "BERNARD", "DUBOIS", "LEFÈVRE"), ("Pierre", "Claire", "Étienne", "Sophie")),
    "IT": (("ROSSI", "RUSSO", "FERRARI", "BIANCHI"), ("Marco", "Giulia", "Luca", "Francesca")),
    "": (
        ("SMITH", "JOHNSON", "MILLER", "BROWN", "GARCIA", "ANDERSSON"),
        ("Michael", "Sarah", "David", "Emily", "Laura"),
    ),
}


def inventors_for(applicant: Applicant, rng: random.Random) -> list[tuple[str, str]]:
    """One to three (family name, given name) pairs from the applicant's country."""
    families, givens = _NAMES.get(applicant.country, _NAMES[""])
    count = rng.choice((1, 2, 2, 3))
    people = {(rng.choice(families), rng.choice(givens)) for _ in range(count)}
    return sorted(people)
