"""What a classification code means, in a few words of zh and en, for the "why it matched" line.

The subclasses (and the few main groups) the shipped watchlists watch, in short wording of our
own after the IPC scheme's titles (WIPO); a code is explained by its longest known prefix, and
a code outside this table is shown as it is.
"""

from __future__ import annotations

import re

TITLES: dict[str, tuple[str, str]] = {
    "A61B": ("诊断；外科", "diagnosis; surgery"),
    "A61F": ("血管植入物；假体；敷料", "implants in blood vessels; prostheses; dressings"),
    "A61G": ("病人运送、护理床椅", "transport and accommodation of patients"),
    "A61H": ("物理治疗、按摩器械", "physical therapy and massage apparatus"),
    "A61J": ("医用容器；给药器具", "medical containers; devices for giving medicines"),
    "A61M": (
        "向人体引入介质的器械（导管、注射、输液）",
        "devices introducing media into the body (catheters, infusion)",
    ),
    "A61N": ("电疗；磁疗；放射治疗", "electrotherapy; magnetotherapy; radiation therapy"),
    "B60K": ("车辆动力装置或传动的布置", "arrangement of propulsion units or transmissions in vehicles"),
    "B60K2202/04": ("两轮车的动力装置", "propulsion units of two-wheeled vehicles"),
    "B60L": ("电动车辆的电力推进", "propulsion of electric vehicles"),
    "B60L50": ("车载电源供电的电动车辆", "electric vehicles powered by on-board sources"),
    "B60L53": ("电动车辆充电", "charging electric vehicles"),
    "B60L58": ("电动车辆电池的监控与管理", "monitoring or managing vehicle batteries"),
    "B60M": ("电动车辆的供电线路与轨旁设备", "power lines and trackside supply for electric vehicles"),
    "B61": ("铁路", "railways"),
    "B61B": ("铁路系统", "railway systems"),
    "B61D": ("铁路车辆车体", "railway vehicle bodies"),
    "B61F": ("铁路车辆悬挂；转向架", "rail vehicle suspensions; bogies"),
    "B61L": ("铁路交通引导与安全；信号", "guiding railway traffic; signalling and safety"),
    "B62J": ("自行车、摩托车的鞍座与附件", "cycle and motorcycle saddles and accessories"),
    "B62K": ("自行车、摩托车；车架；转向；悬挂", "cycles and motorcycles; frames, steering, suspension"),
    "B62M": ("自行车、摩托车的驱动与传动", "propulsion and transmissions of cycles and motorcycles"),
    "B64C": ("飞机；直升机", "aeroplanes; helicopters"),
    "B64C39/02": ("特殊用途飞行器（无人机）", "aircraft for particular uses (drones)"),
    "B64D": ("航空器设备（载荷、相机）", "aircraft equipment (payloads, cameras)"),
    "B64U": ("无人机", "unmanned aerial vehicles (drones)"),
    "F02B": ("内燃活塞发动机", "internal-combustion piston engines"),
    "F02B61/02": ("自行车、摩托车用发动机", "engines for cycles and motorcycles"),
    "F21": ("照明", "lighting"),
    "F21K": ("光源（LED 灯等）", "light sources (LED lamps and the like)"),
    "F21S": ("固定式照明装置；车辆外部灯具", "non-portable lighting devices; vehicle lamps"),
    "F21V": ("照明装置的功能部件与细节", "functional details of lighting devices"),
    "F21Y": ("光源形式的引得（LED 等）", "indexing of light source kinds (LEDs)"),
    "G05D": ("非电变量的控制（飞行控制）", "controlling non-electric variables (flight control)"),
    "H01L": ("半导体器件", "semiconductor devices"),
    "H01L33": ("发光二极管（LED）", "light-emitting diodes (LEDs)"),
    "H01M": ("电池（化学能转电能）", "batteries: chemical energy into electrical energy"),
    "H02J": ("供配电；电能存储", "supplying or distributing electric power; energy storage"),
    "H02J7": ("电池充电或供电电路", "circuits for charging or supplying from batteries"),
    "H05B": ("电加热；电照明", "electric heating; electric lighting"),
    "H05B45": ("LED 驱动电路", "circuits for driving LEDs"),
    "H05B47": ("照明控制电路", "circuits for controlling light sources"),
    "H10H": ("发光半导体器件（LED）", "light-emitting semiconductor devices (LEDs)"),
    "H10H20": ("发光二极管（LED）", "light-emitting diodes (LEDs)"),
}
_CODE = re.compile(r"([A-HY]\d\d[A-Z]?)(\d{1,4})?(?:/(\d+))?")


def _candidates(code: str) -> list[str]:
    """The keys of `TITLES` a code could fall under, the most specific first: ``H05B45/325`` ->
    ``H05B45/325``, ``H05B45``, ``H05B``, ``H05``. The group is compared whole, so ``B60L5/00``
    is not taken for ``B60L50``."""
    found = _CODE.fullmatch(re.sub(r"\s+", "", code.upper()))
    if not found:
        return []
    subclass, group, subgroup = found.groups()
    keys = [f"{subclass}{group}/{subgroup}"] if group and subgroup else []
    keys += [f"{subclass}{group}"] if group else []
    return [*keys, subclass, subclass[:3]]


def code_meaning(code: str, lang: str) -> str:
    """A few words on what ``code`` covers (``B62K11/04`` -> "cycles and motorcycles; ..."), or ""."""
    for key in _candidates(code):
        for known, (zh, en) in TITLES.items():
            # a subgroup key covers its finer subgroups: F02B61/02 covers F02B61/023
            if key == known or ("/" in known and key.startswith(known) and "/" in key):
                return zh if lang == "zh" else en
    return ""
