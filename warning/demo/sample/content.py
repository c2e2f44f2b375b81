"""Phrase tables for the product lines the demo watches, in every language the sample uses.

Each phrase is one line ``"en | zh | ja | ko | pt | ru | vi | de | fr"`` so a translation can
never drift from its siblings. Texts are built by combining a component, two features and an
effect (see `warning.demo.sample.texts`), so every line's phrases must fit together. What each
language's slot holds is fixed by the sentence templates that use it:

- component: en/pt with an indefinite article; the others bare (de/fr without article).
- feature: en/pt/fr with an article (they follow "comprising"/"com"/"comprenant"), ru in the
  instrumental case (it follows "с"), de in the dative case (it follows "mit").
- effect: en/pt a verb phrase in the third person ("reduces ..."), zh/vi a verb phrase,
  ja a plain verb form that can stand before a noun, ko a sentence ending in "-다",
  ru a noun phrase ("снижение ..."), de a passive clause after "wobei", fr a present participle.
"""

from __future__ import annotations

from dataclasses import dataclass

LANGS = ("en", "zh", "ja", "ko", "pt", "ru", "vi", "de", "fr")


@dataclass(frozen=True)
class Topic:
    """One family of inventions: its phrases, classifications and likely applicants."""

    key: str
    watchlist: str | None  # the demo watchlist it is relevant to; None: background
    components: tuple[str, ...]
    features: tuple[str, ...]
    effects: tuple[str, ...]
    cpc: tuple[str, ...]  # the first is the main (inventive) symbol
    applicants: tuple[str, ...]  # keys of warning.demo.sample.parties.APPLICANTS
    near_miss_of: str | None = None  # a watchlist this background topic only looks like


def phrase(line: str) -> dict[str, str]:
    """Split one phrase line into ``{lang: text}``."""
    parts = [p.strip() for p in line.split(" | ")]
    if len(parts) != len(LANGS):
        raise ValueError(f"phrase needs {len(LANGS)} languages, has {len(parts)}: {line[:60]}")
    return dict(zip(LANGS, parts, strict=True))


MOTORCYCLES = Topic(
    key="motorcycles",
    watchlist="motorcycles",
    components=(
        "a straddle-type vehicle | 跨骑式车辆 | 鞍乗型車両 | 안장형 차량 | um veículo do tipo montar | транспортное средство седельного типа | xe kiểu yên ngồi | Grätschsitzfahrzeug | véhicule à selle",
        "a motorcycle | 摩托车 | 自動二輪車 | 이륜 자동차 | uma motocicleta | мотоцикл | xe mô tô | Motorrad | motocyclette",
        "an electric scooter | 电动踏板摩托车 | 電動スクータ | 전동 스쿠터 | uma motoneta elétrica | электрический мотороллер | xe tay ga điện | Elektroroller | scooter électrique",
    ),
    features=(
        "a swing arm supporting the rear wheel | 支撑后轮的摆臂 | 後輪を支持するスイングアーム | 후륜을 지지하는 스윙암 | um braço oscilante que suporta a roda traseira | маятниковым рычагом, поддерживающим заднее колесо | càng sau đỡ bánh sau | einer das Hinterrad tragenden Schwinge | un bras oscillant supportant la roue arrière",
        "a body frame with a detachable rear sub-frame | 带可拆卸后副车架的车身框架 | 着脱可能なリヤサブフレームを有する車体フレーム | 탈착 가능한 후방 서브프레임을 갖는 차체 프레임 | um quadro com subquadro traseiro removível | рамой со съемным задним подрамником | khung thân xe có khung phụ phía sau tháo rời được | einem Fahrzeugrahmen mit abnehmbarem Heckrahmen | un cadre doté d'un faux-cadre arrière amovible",
        "a front fork with an adjustable damping valve | 具有可调阻尼阀的前叉 | 減衰力調整バルブを有するフロントフォーク | 감쇠력 조절 밸브를 갖는 프런트 포크 | um garfo dianteiro com válvula de amortecimento ajustável | передней вилкой с регулируемым демпфирующим клапаном | phuộc trước có van giảm chấn điều chỉnh được | einer Vorderradgabel mit einstellbarem Dämpferventil | une fourche avant munie d'une soupape d'amortissement réglable",
        "a handlebar-mounted rider display unit | 安装在车把上的骑乘者显示单元 | ハンドルに取り付けられた乗員用表示ユニット | 핸들바에 장착된 운전자 표시 유닛 | uma unidade de exibição montada no guidão | установленным на руле блоком индикации для водителя | bộ hiển thị gắn trên tay lái | einer am Lenker montierten Fahreranzeigeeinheit | une unité d'affichage montée sur le guidon",
    ),
    effects=(
        "reduces vibration transmitted to the rider | 减少传递给骑乘者的振动 | 乗員に伝わる振動を低減する | 운전자에게 전달되는 진동을 줄일 수 있다 | reduz a vibração transmitida ao condutor | снижение вибрации, передаваемой водителю | giảm rung động truyền đến người lái | die auf den Fahrer übertragenen Vibrationen verringert werden | réduisant les vibrations transmises au pilote",
        "improves cornering stability at high speed | 提高高速转弯时的稳定性 | 高速旋回時の安定性を向上させる | 고속 선회 시의 안정성을 향상시킬 수 있다 | melhora a estabilidade em curvas em alta velocidade | повышение устойчивости при прохождении поворотов на высокой скорости | cải thiện độ ổn định khi vào cua ở tốc độ cao | die Kurvenstabilität bei hoher Geschwindigkeit verbessert wird | améliorant la stabilité en virage à grande vitesse",
        "simplifies assembly of the vehicle body | 简化车身的装配 | 車体の組立てを容易にする | 차체의 조립을 간소화할 수 있다 | simplifica a montagem da carroceria | упрощение сборки кузова транспортного средства | đơn giản hóa việc lắp ráp thân xe | die Montage der Fahrzeugkarosserie vereinfacht wird | simplifiant l'assemblage de la carrosserie",
    ),
    cpc=("B62K 11/04", "B62K 25/28", "B62J 50/22", "B62K 21/02", "B62K 19/30", "B62J 45/00"),
    applicants=("honda", "yamaha", "suzuki", "tvs", "piaggio", "mekong", "anatolia"),
)

MOTORCYCLE_ENGINES = Topic(
    key="motorcycle-engines",
    watchlist="motorcycles",
    components=(
        "an internal combustion engine for a motorcycle | 摩托车用内燃机 | 自動二輪車用内燃機関 | 모터사이클용 내연기관 | um motor de combustão interna para motocicleta | двигатель внутреннего сгорания для мотоцикла | động cơ đốt trong dùng cho xe mô tô | Verbrennungsmotor für ein Motorrad | moteur à combustion interne pour motocyclette",
        "a single-cylinder four-stroke engine for a scooter | 踏板摩托车用单缸四冲程发动机 | スクータ用単気筒4ストロークエンジン | 스쿠터용 단기통 4행정 엔진 | um motor monocilíndrico de quatro tempos para motoneta | одноцилиндровый четырехтактный двигатель для мотороллера | động cơ bốn thì một xi lanh dùng cho xe tay ga | Einzylinder-Viertaktmotor für einen Motorroller | moteur monocylindre à quatre temps pour scooter",
    ),
    features=(
        "a fuel injection valve arranged in the intake passage | 设置在进气通道中的燃油喷射阀 | 吸気通路に配置された燃料噴射弁 | 흡기 통로에 배치된 연료 분사 밸브 | uma válvula de injeção de combustível disposta na passagem de admissão | топливной форсункой, расположенной во впускном канале | van phun nhiên liệu bố trí trong đường nạp | einem im Ansaugkanal angeordneten Kraftstoffeinspritzventil | une soupape d'injection de carburant disposée dans le conduit d'admission",
        "a balancer shaft driven by the crankshaft | 由曲轴驱动的平衡轴 | クランク軸により駆動されるバランサ軸 | 크랭크축에 의해 구동되는 밸런서 축 | um eixo balanceador acionado pelo virabrequim | балансирным валом, приводимым от коленчатого вала | trục cân bằng được dẫn động bởi trục khuỷu | einer von der Kurbelwelle angetriebenen Ausgleichswelle | un arbre d'équilibrage entraîné par le vilebrequin",
        "a cylinder head with a cooling air guide | 带冷却导风罩的气缸盖 | 冷却風ガイドを有するシリンダヘッド | 냉각풍 가이드를 갖는 실린더 헤드 | um cabeçote com defletor de ar de arrefecimento | головкой цилиндра с направляющей охлаждающего воздуха | nắp xi lanh có bộ dẫn gió làm mát | einem Zylinderkopf mit Kühlluftführung | une culasse munie d'un guide d'air de refroidissement",
    ),
    effects=(
        "lowers fuel consumption and exhaust emissions | 降低燃油消耗和尾气排放 | 燃料消費量と排出ガスを低減する | 연료 소비량과 배기가스를 줄일 수 있다 | reduz o consumo de combustível e as emissões de escape | снижение расхода топлива и выбросов отработавших газов | giảm tiêu hao nhiên liệu và khí thải | Kraftstoffverbrauch und Abgasemissionen gesenkt werden | réduisant la consommation de carburant et les émissions d'échappement",
        "suppresses engine vibration at idle | 抑制怠速时的发动机振动 | アイドリング時のエンジン振動を抑制する | 공회전 시의 엔진 진동을 억제할 수 있다 | suprime a vibração do motor em marcha lenta | подавление вибрации двигателя на холостом ходу | triệt tiêu rung động của động cơ khi chạy không tải | Motorvibrationen im Leerlauf unterdrückt werden | supprimant les vibrations du moteur au ralenti",
    ),
    cpc=("F02B 61/02", "F02M 35/162", "B62M 7/02", "F02B 75/02", "F02D 41/30"),
    applicants=("honda", "yamaha", "suzuki", "tvs", "mekong"),
)

NEV_BATTERIES = Topic(
    key="nev-batteries",
    watchlist="nev-batteries",
    components=(
        "a battery pack for an electric vehicle | 电动汽车用电池包 | 電動車両用電池パック | 전기차용 배터리 팩 | um conjunto de baterias para veículo elétrico | аккумуляторная батарея для электромобиля | bộ pin dùng cho xe điện | Batteriepack für ein Elektrofahrzeug | bloc-batterie pour véhicule électrique",
        "a lithium-ion secondary battery | 锂离子二次电池 | リチウムイオン二次電池 | 리튬 이온 이차 전지 | uma bateria secundária de íons de lítio | литий-ионный аккумулятор | pin thứ cấp lithium-ion | Lithium-Ionen-Sekundärbatterie | batterie secondaire lithium-ion",
        "a traction battery module | 动力电池模组 | 駆動用電池モジュール | 구동용 배터리 모듈 | um módulo de bateria de tração | тяговый аккумуляторный модуль | mô-đun pin kéo | Traktionsbatteriemodul | module de batterie de traction",
    ),
    features=(
        "a liquid cooling plate under the cell array | 位于电芯阵列下方的液冷板 | セル列の下方に配置された液冷プレート | 셀 어레이 아래에 배치된 액체 냉각 플레이트 | uma placa de resfriamento líquido sob o conjunto de células | пластиной жидкостного охлаждения под массивом элементов | tấm làm mát bằng chất lỏng đặt dưới dãy cell | einer Flüssigkeitskühlplatte unter der Zellanordnung | une plaque de refroidissement liquide sous le réseau de cellules",
        "a nickel-rich cathode active material | 高镍正极活性材料 | 高ニッケル正極活物質 | 하이니켈 양극 활물질 | um material ativo de cátodo rico em níquel | катодным активным материалом с высоким содержанием никеля | vật liệu hoạt tính catốt giàu niken | einem nickelreichen Kathodenaktivmaterial | un matériau actif de cathode riche en nickel",
        "a battery management system that balances cell voltages | 均衡电芯电压的电池管理系统 | セル電圧を均等化する電池管理システム | 셀 전압을 균등화하는 배터리 관리 시스템 | um sistema de gerenciamento de bateria que equaliza as tensões das células | системой управления батареей, выравнивающей напряжения элементов | hệ thống quản lý pin cân bằng điện áp các cell | einem Batteriemanagementsystem, das die Zellspannungen ausgleicht | un système de gestion de batterie qui équilibre les tensions des cellules",
        "a flame-retardant partition between adjacent cells | 相邻电芯之间的阻燃隔板 | 隣接するセル間の難燃性仕切り板 | 인접한 셀 사이의 난연성 격벽 | uma divisória retardante de chama entre células adjacentes | огнестойкой перегородкой между соседними элементами | vách ngăn chống cháy giữa các cell liền kề | einer flammhemmenden Trennwand zwischen benachbarten Zellen | une cloison ignifuge entre cellules adjacentes",
    ),
    effects=(
        "prevents thermal runaway from propagating between cells | 防止热失控在电芯之间蔓延 | セル間での熱暴走の伝播を防止する | 셀 사이의 열폭주 전파를 방지할 수 있다 | impede a propagação da fuga térmica entre células | предотвращение распространения теплового разгона между элементами | ngăn chặn sự lan truyền thoát nhiệt giữa các cell | die Ausbreitung eines thermischen Durchgehens zwischen Zellen verhindert wird | empêchant la propagation de l'emballement thermique entre cellules",
        "increases energy density and driving range | 提高能量密度和续航里程 | エネルギー密度と航続距離を向上させる | 에너지 밀도와 주행 거리를 향상시킬 수 있다 | aumenta a densidade de energia e a autonomia | повышение плотности энергии и запаса хода | tăng mật độ năng lượng và quãng đường di chuyển | Energiedichte und Reichweite erhöht werden | augmentant la densité d'énergie et l'autonomie",
        "extends cycle life during fast charging | 延长快速充电时的循环寿命 | 急速充電時のサイクル寿命を延ばす | 급속 충전 시의 사이클 수명을 연장할 수 있다 | prolonga a vida útil em ciclos de carga rápida | увеличение ресурса циклирования при быстрой зарядке | kéo dài tuổi thọ chu kỳ khi sạc nhanh | die Zyklenlebensdauer beim Schnellladen verlängert wird | prolongeant la durée de vie en cyclage lors de la charge rapide",
    ),
    cpc=(
        "H01M 10/613",
        "H01M 10/0525",
        "H01M 50/293",
        "H01M 4/525",
        "B60L 50/64",
        "B60L 58/22",
        "H01M 10/425",
    ),
    applicants=("catl", "lges", "sdi", "byd", "panasonic", "voltaris", "huaxin"),
)

LED_LIGHTING = Topic(
    key="led-lighting",
    watchlist="led-lighting",
    components=(
        "an LED lighting device | LED照明装置 | LED照明装置 | LED 조명 장치 | um dispositivo de iluminação LED | светодиодное осветительное устройство | thiết bị chiếu sáng LED | LED-Beleuchtungsvorrichtung | dispositif d'éclairage à LED",
        "an LED street lamp | LED路灯 | LED街路灯 | LED 가로등 | uma luminária pública de LED | светодиодный уличный светильник | đèn đường LED | LED-Straßenleuchte | lampadaire à LED",
        "a light-emitting diode package | 发光二极管封装结构 | 発光ダイオードパッケージ | 발광 다이오드 패키지 | um encapsulamento de diodo emissor de luz | корпус светоизлучающего диода | vỏ đóng gói điốt phát quang | Leuchtdiodengehäuse | boîtier de diode électroluminescente",
    ),
    features=(
        "a heat sink with radial fins | 具有径向翅片的散热器 | 放射状フィンを有するヒートシンク | 방사형 핀을 갖는 히트 싱크 | um dissipador de calor com aletas radiais | радиатором с радиальными ребрами | bộ tản nhiệt có cánh tản nhiệt hướng tâm | einem Kühlkörper mit radialen Rippen | un dissipateur thermique à ailettes radiales",
        "a phosphor layer converting blue light into white light | 将蓝光转换为白光的荧光粉层 | 青色光を白色光に変換する蛍光体層 | 청색광을 백색광으로 변환하는 형광체층 | uma camada de fósforo que converte luz azul em luz branca | люминофорным слоем, преобразующим синий свет в белый | lớp phốt pho chuyển ánh sáng xanh lam thành ánh sáng trắng | einer Leuchtstoffschicht, die blaues Licht in weißes Licht umwandelt | une couche de luminophore convertissant la lumière bleue en lumière blanche",
        "a constant-current LED driver with dimming control | 具有调光控制的LED恒流驱动电路 | 調光制御機能付きLED定電流ドライバ | 조광 제어 기능을 갖는 LED 정전류 드라이버 | um driver de LED de corrente constante com controle de dimerização | светодиодным драйвером постоянного тока с регулировкой яркости | bộ điều khiển LED dòng không đổi có chức năng điều chỉnh độ sáng | einem LED-Konstantstromtreiber mit Dimmsteuerung | un pilote de LED à courant constant avec commande de gradation",
    ),
    effects=(
        "improves luminous efficacy and colour rendering | 提高发光效率和显色性 | 発光効率と演色性を向上させる | 발광 효율과 연색성을 향상시킬 수 있다 | melhora a eficiência luminosa e a reprodução de cores | повышение световой отдачи и цветопередачи | cải thiện hiệu suất phát sáng và độ hoàn màu | Lichtausbeute und Farbwiedergabe verbessert werden | améliorant l'efficacité lumineuse et le rendu des couleurs",
        "lowers the junction temperature of the LED chips | 降低LED芯片的结温 | LEDチップの接合温度を低下させる | LED 칩의 접합 온도를 낮출 수 있다 | reduz a temperatura de junção dos chips de LED | снижение температуры перехода светодиодных кристаллов | giảm nhiệt độ tiếp giáp của chip LED | die Sperrschichttemperatur der LED-Chips gesenkt wird | abaissant la température de jonction des puces LED",
        "eliminates visible flicker of the lamp | 消除灯具的可见频闪 | 照明のちらつきを解消する | 조명의 눈에 보이는 깜빡임을 제거할 수 있다 | elimina a cintilação visível da lâmpada | устранение видимого мерцания светильника | loại bỏ hiện tượng nhấp nháy của đèn | sichtbares Flimmern der Leuchte beseitigt wird | éliminant le scintillement visible de la lampe",
    ),
    cpc=(
        "F21V 29/773",
        "F21K 9/232",
        "F21S 8/086",
        "H05B 45/37",
        "H05B 45/10",
        "H01L 33/502",
        "F21Y 2115/10",
    ),
    applicants=("signify", "nichia", "seoulsemi", "osram", "lumencraft", "guangyao"),
)

RAIL_TRANSIT = Topic(
    key="rail-transit",
    watchlist="rail-transit",
    components=(
        "a railway vehicle | 轨道车辆 | 鉄道車両 | 철도 차량 | um veículo ferroviário | рельсовое транспортное средство | phương tiện đường sắt | Schienenfahrzeug | véhicule ferroviaire",
        "a bogie for a high-speed train | 高速列车转向架 | 高速列車用台車 | 고속 열차용 대차 | um truque para trem de alta velocidade | тележка высокоскоростного поезда | giá chuyển hướng cho tàu cao tốc | Drehgestell für einen Hochgeschwindigkeitszug | bogie pour train à grande vitesse",
        "a metro car body | 地铁车体 | 地下鉄車両用構体 | 지하철 차체 | uma caixa de carro de metrô | кузов вагона метрополитена | thân toa tàu điện ngầm | U-Bahn-Wagenkasten | caisse de voiture de métro",
    ),
    features=(
        "an air spring secondary suspension | 空气弹簧二系悬挂 | 空気ばね式の二次サスペンション | 공기 스프링식 2차 현가장치 | uma suspensão secundária com molas pneumáticas | вторичным рессорным подвешиванием на пневморессорах | hệ thống treo thứ cấp bằng lò xo khí | einer Sekundärfederung mit Luftfedern | une suspension secondaire à ressorts pneumatiques",
        "an energy-absorbing coupler at the car end | 位于车端的吸能车钩 | 車端に設けられたエネルギー吸収式連結器 | 차량 끝단의 에너지 흡수형 연결기 | um engate absorvedor de energia na extremidade do carro | энергопоглощающим сцепным устройством на торце вагона | bộ móc nối hấp thụ năng lượng ở đầu toa | einer energieabsorbierenden Kupplung am Wagenende | un attelage absorbeur d'énergie en bout de voiture",
        "an axle-box bearing temperature sensor | 轴箱轴承温度传感器 | 軸箱軸受の温度センサ | 축상 베어링 온도 센서 | um sensor de temperatura do rolamento da caixa de eixo | датчиком температуры буксового подшипника | cảm biến nhiệt độ ổ trục hộp trục | einem Temperatursensor für das Radsatzlager | un capteur de température de roulement de boîte d'essieu",
    ),
    effects=(
        "improves ride comfort on curved track | 提高曲线线路上的乘坐舒适性 | 曲線区間での乗り心地を向上させる | 곡선 구간에서의 승차감을 향상시킬 수 있다 | melhora o conforto de rodagem em via curva | повышение плавности хода в кривых участках пути | cải thiện sự êm ái khi chạy trên đường cong | der Fahrkomfort in Gleisbögen verbessert wird | améliorant le confort de roulement en courbe",
        "protects passengers in a collision | 在碰撞时保护乘客 | 衝突時に乗客を保護する | 충돌 시 승객을 보호할 수 있다 | protege os passageiros em caso de colisão | защита пассажиров при столкновении | bảo vệ hành khách khi xảy ra va chạm | Fahrgäste bei einem Zusammenstoß geschützt werden | protégeant les passagers en cas de collision",
        "detects running gear faults early | 及早发现走行部故障 | 走行装置の異常を早期に検知する | 주행 장치의 고장을 조기에 감지할 수 있다 | detecta antecipadamente falhas no truque | раннее обнаружение неисправностей ходовой части | phát hiện sớm hư hỏng của bộ phận chạy | Fehler im Fahrwerk frühzeitig erkannt werden | détectant tôt les défauts du train de roulement",
    ),
    cpc=("B61F 5/10", "B61F 5/02", "B61D 17/06", "B61G 11/16", "B61K 9/04", "B61L 15/0081"),
    applicants=("siemens", "crrc", "alstom", "hitachi", "stadler", "iberiarail", "zhonglian"),
)

MEDICAL_DEVICES = Topic(
    key="medical-devices",
    watchlist="medical-devices",
    components=(
        "a medical catheter | 医用导管 | 医療用カテーテル | 의료용 카테터 | um cateter médico | медицинский катетер | ống thông y tế | medizinischer Katheter | cathéter médical",
        "a flexible endoscope | 软性内窥镜 | 軟性内視鏡 | 연성 내시경 | um endoscópio flexível | гибкий эндоскоп | ống nội soi mềm | flexibles Endoskop | endoscope flexible",
        "an infusion pump | 输液泵 | 輸液ポンプ | 수액 펌프 | uma bomba de infusão | инфузионный насос | bơm tiêm truyền | Infusionspumpe | pompe à perfusion",
    ),
    features=(
        "a steerable distal tip actuated by pull wires | 由牵引丝驱动的可转向远端头 | 牽引ワイヤで操作される湾曲可能な先端部 | 당김 와이어로 작동되는 조향 가능한 원위 팁 | uma ponta distal orientável acionada por fios de tração | управляемым дистальным концом, приводимым в действие тяговыми нитями | đầu xa có thể điều hướng được dẫn động bằng dây kéo | einer mittels Zugdrähten lenkbaren distalen Spitze | une pointe distale orientable actionnée par des fils de traction",
        "an occlusion sensor in the fluid line | 设置在输液管路中的阻塞传感器 | 液体ラインに設けられた閉塞センサ | 유체 라인에 설치된 폐색 센서 | um sensor de oclusão na linha de fluido | датчиком окклюзии в линии подачи жидкости | cảm biến tắc nghẽn trong đường dẫn chất lỏng | einem Okklusionssensor in der Fluidleitung | un capteur d'occlusion dans la ligne de fluide",
        "a hydrophilic coating on the insertion section | 插入部上的亲水涂层 | 挿入部に設けられた親水性コーティング | 삽입부의 친수성 코팅 | um revestimento hidrofílico na seção de inserção | гидрофильным покрытием на вводимой части | lớp phủ ưa nước trên phần đưa vào cơ thể | einer hydrophilen Beschichtung am Einführabschnitt | un revêtement hydrophile sur la section d'insertion",
    ),
    effects=(
        "reduces trauma to the vessel wall during insertion | 减少插入过程中对血管壁的损伤 | 挿入時の血管壁への損傷を低減する | 삽입 시 혈관벽의 손상을 줄일 수 있다 | reduz o trauma à parede do vaso durante a inserção | снижение травмирования стенки сосуда при введении | giảm tổn thương thành mạch khi đưa vào | Verletzungen der Gefäßwand beim Einführen verringert werden | réduisant le traumatisme de la paroi vasculaire lors de l'insertion",
        "delivers the drug dose to the patient more accurately | 更精确地向患者输送药物剂量 | 患者に薬剤をより正確に投与する | 환자에게 약물 용량을 더욱 정확하게 투여할 수 있다 | administra a dose do medicamento ao paciente com mais precisão | повышение точности дозирования лекарственного средства пациенту | cung cấp liều thuốc cho bệnh nhân chính xác hơn | die Arzneimitteldosis dem Patienten genauer verabreicht wird | délivrant la dose de médicament au patient avec plus de précision",
        "shortens the time needed for the examination | 缩短检查所需时间 | 検査に要する時間を短縮する | 검사에 필요한 시간을 단축할 수 있다 | reduz o tempo necessário para o exame | сокращение времени, необходимого для обследования | rút ngắn thời gian cần thiết cho việc thăm khám | die für die Untersuchung benötigte Zeit verkürzt wird | raccourcissant le temps nécessaire à l'examen",
    ),
    cpc=("A61M 25/0147", "A61B 1/0052", "A61M 5/16831", "A61M 25/0045", "A61B 1/00071", "A61M 5/142"),
    applicants=("medtronic", "olympus", "terumo", "mindray", "bostonsci", "northbridge", "hanseong"),
)

DRONES = Topic(
    key="drones",
    watchlist="drones",
    components=(
        "an unmanned aerial vehicle | 无人飞行器 | 無人航空機 | 무인 비행체 | um veículo aéreo não tripulado | беспилотный летательный аппарат | phương tiện bay không người lái | unbemanntes Luftfahrzeug | véhicule aérien sans pilote",
        "a multi-rotor drone | 多旋翼无人机 | マルチロータ型ドローン | 멀티로터 드론 | um drone multirrotor | многороторный дрон | máy bay không người lái nhiều cánh quạt | Multirotor-Drohne | drone multirotor",
        "an agricultural spraying drone | 农业植保无人机 | 農薬散布用ドローン | 농업용 방제 드론 | um drone agrícola de pulverização | сельскохозяйственный дрон-опрыскиватель | máy bay không người lái phun thuốc nông nghiệp | landwirtschaftliche Sprühdrohne | drone agricole de pulvérisation",
    ),
    features=(
        "foldable arms carrying the propulsion units | 承载动力单元的可折叠机臂 | 推進ユニットを支持する折り畳み可能なアーム | 추진 유닛을 지지하는 접이식 암 | braços dobráveis que carregam as unidades de propulsão | складными лучами, несущими силовые установки | các cánh tay gập được mang bộ đẩy | klappbaren Auslegern, die die Antriebseinheiten tragen | des bras repliables portant les unités de propulsion",
        "a gimbal-stabilised camera | 云台增稳相机 | ジンバルで安定化されたカメラ | 짐벌로 안정화된 카메라 | uma câmera estabilizada por gimbal | камерой, стабилизированной карданным подвесом | camera được ổn định bằng gimbal | einer kardanisch stabilisierten Kamera | une caméra stabilisée par nacelle",
        "an obstacle avoidance radar | 避障雷达 | 障害物回避用レーダ | 장애물 회피 레이더 | um radar de desvio de obstáculos | радаром для обхода препятствий | radar tránh chướng ngại vật | einem Hinderniserkennungsradar | un radar d'évitement d'obstacles",
    ),
    effects=(
        "extends the flight time | 延长飞行时间 | 飛行時間を延長する | 비행 시간을 연장할 수 있다 | prolonga o tempo de voo | увеличение продолжительности полета | kéo dài thời gian bay | die Flugzeit verlängert wird | prolongeant le temps de vol",
        "allows safe autonomous flight near obstacles | 实现在障碍物附近的安全自主飞行 | 障害物付近での安全な自律飛行を可能にする | 장애물 근처에서 안전한 자율 비행이 가능하다 | permite voo autônomo seguro perto de obstáculos | обеспечение безопасного автономного полета вблизи препятствий | cho phép bay tự động an toàn gần chướng ngại vật | ein sicherer autonomer Flug in der Nähe von Hindernissen ermöglicht wird | permettant un vol autonome sûr à proximité d'obstacles",
        "reduces the stowed size for transport | 减小运输时的收纳尺寸 | 運搬時の収納寸法を小さくする | 운반 시의 수납 크기를 줄일 수 있다 | reduz o tamanho recolhido para transporte | уменьшение габаритов в сложенном состоянии при транспортировке | giảm kích thước khi thu gọn để vận chuyển | das Packmaß für den Transport verringert wird | réduisant l'encombrement replié pour le transport",
    ),
    cpc=("B64U 10/13", "B64U 30/293", "B64C 39/024", "B64U 20/87", "B64U 2101/30", "G05D 1/106"),
    applicants=("dji", "autel", "parrot", "skydio", "aerovane", "tianyu"),
)

PRODUCT_TOPICS = (
    MOTORCYCLES,
    MOTORCYCLE_ENGINES,
    NEV_BATTERIES,
    LED_LIGHTING,
    RAIL_TRANSIT,
    MEDICAL_DEVICES,
    DRONES,
)
WATCHLISTS = ("motorcycles", "nev-batteries", "led-lighting", "rail-transit", "medical-devices", "drones")
