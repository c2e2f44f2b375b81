"""Phrase tables for the background: unrelated fields, and near misses that only look relevant.

The classifier needs negatives. Ordinary background (food, chemistry, software, packaging,
textiles) teaches it what the world mostly publishes; near misses (a bicycle bell, an LED TV
backlight, a watch battery ...) share words or classes with a watched product line but are not
what its members make. Same line format and slot rules as `warning.demo.sample.content`.
"""

from __future__ import annotations

from warning.demo.sample.content import Topic

FOOD = Topic(
    key="food",
    watchlist=None,
    components=(
        "a plant-based beverage | 植物基饮料 | 植物性飲料 | 식물성 음료 | uma bebida à base de plantas | напиток на растительной основе | đồ uống có nguồn gốc thực vật | Getränk auf Pflanzenbasis | boisson d'origine végétale",
        "an instant noodle product | 方便面制品 | 即席麺製品 | 즉석 면 제품 | um produto de macarrão instantâneo | продукт из лапши быстрого приготовления | sản phẩm mì ăn liền | Instantnudelprodukt | produit de nouilles instantanées",
    ),
    features=(
        "an oat protein hydrolysate | 燕麦蛋白水解物 | オーツ麦タンパク質加水分解物 | 귀리 단백질 가수분해물 | um hidrolisado de proteína de aveia | гидролизатом белка овса | dịch thủy phân protein yến mạch | einem Haferproteinhydrolysat | un hydrolysat de protéines d'avoine",
        "a low-sodium seasoning blend | 低钠调味料组合物 | 低ナトリウム調味料組成物 | 저나트륨 조미료 조성물 | uma mistura de temperos com baixo teor de sódio | низконатриевой смесью приправ | hỗn hợp gia vị ít natri | einer natriumarmen Würzmischung | un mélange d'assaisonnement pauvre en sodium",
        "a starch gel stabiliser | 淀粉凝胶稳定剂 | デンプンゲル安定剤 | 전분 겔 안정제 | um estabilizante de gel de amido | стабилизатором на основе крахмального геля | chất ổn định gel tinh bột | einem Stärkegel-Stabilisator | un stabilisant à base de gel d'amidon",
    ),
    effects=(
        "improves taste and shelf stability | 改善口感和货架稳定性 | 風味と保存安定性を向上させる | 맛과 저장 안정성을 향상시킬 수 있다 | melhora o sabor e a estabilidade na prateleira | улучшение вкуса и стабильности при хранении | cải thiện hương vị và độ ổn định khi bảo quản | Geschmack und Lagerstabilität verbessert werden | améliorant le goût et la stabilité à la conservation",
        "shortens the preparation time | 缩短制备时间 | 調理時間を短縮する | 조리 시간을 단축할 수 있다 | reduz o tempo de preparo | сокращение времени приготовления | rút ngắn thời gian chế biến | die Zubereitungszeit verkürzt wird | raccourcissant le temps de préparation",
    ),
    cpc=("A23L 2/66", "A23L 7/113", "A23J 3/346", "A23L 27/40", "A23L 29/212"),
    applicants=("nordkap", "greenfield", "saopaulo", "kansaichem"),
)

CHEMISTRY = Topic(
    key="chemistry",
    watchlist=None,
    components=(
        "a polyester resin composition | 聚酯树脂组合物 | ポリエステル樹脂組成物 | 폴리에스테르 수지 조성물 | uma composição de resina de poliéster | композиция полиэфирной смолы | chế phẩm nhựa polyeste | Polyesterharzzusammensetzung | composition de résine polyester",
        "a waterborne polyurethane coating | 水性聚氨酯涂料 | 水性ポリウレタン塗料 | 수성 폴리우레탄 도료 | um revestimento de poliuretano à base de água | водно-дисперсионное полиуретановое покрытие | lớp phủ polyurethane gốc nước | wässrige Polyurethanbeschichtung | revêtement de polyuréthane en phase aqueuse",
    ),
    features=(
        "a bio-based diol monomer | 生物基二元醇单体 | バイオマス由来のジオールモノマー | 바이오 기반 디올 단량체 | um monômero diol de base biológica | диольным мономером биологического происхождения | monome diol có nguồn gốc sinh học | einem biobasierten Diolmonomer | un monomère diol biosourcé",
        "a silane crosslinking agent | 硅烷交联剂 | シラン架橋剤 | 실란 가교제 | um agente de reticulação de silano | силановым сшивающим агентом | chất liên kết ngang silan | einem Silanvernetzer | un agent de réticulation silane",
        "a hindered phenol antioxidant | 受阻酚抗氧化剂 | ヒンダードフェノール系酸化防止剤 | 힌더드 페놀계 산화 방지제 | um antioxidante de fenol impedido | антиоксидантом на основе пространственно-затрудненного фенола | chất chống oxy hóa phenol bị cản trở | einem sterisch gehinderten Phenol-Antioxidans | un antioxydant phénolique encombré",
    ),
    effects=(
        "increases resistance to hydrolysis | 提高耐水解性 | 耐加水分解性を高める | 내가수분해성을 높일 수 있다 | aumenta a resistência à hidrólise | повышение стойкости к гидролизу | tăng khả năng chống thủy phân | die Hydrolysebeständigkeit erhöht wird | augmentant la résistance à l'hydrolyse",
        "lowers volatile organic compound emissions | 降低挥发性有机化合物排放 | 揮発性有機化合物の放出を低減する | 휘발성 유기 화합물 방출을 줄일 수 있다 | reduz as emissões de compostos orgânicos voláteis | снижение выбросов летучих органических соединений | giảm phát thải hợp chất hữu cơ dễ bay hơi | Emissionen flüchtiger organischer Verbindungen gesenkt werden | réduisant les émissions de composés organiques volatils",
    ),
    cpc=("C08L 67/02", "C09D 175/04", "C08G 63/183", "C08K 5/5415", "C08K 5/13"),
    applicants=("polymera", "kansaichem", "basf", "yongxin"),
)

SOFTWARE = Topic(
    key="software",
    watchlist=None,
    components=(
        "a data processing method | 数据处理方法 | データ処理方法 | 데이터 처리 방법 | um método de processamento de dados | способ обработки данных | phương pháp xử lý dữ liệu | Datenverarbeitungsverfahren | procédé de traitement de données",
        "a cloud scheduling system | 云调度系统 | クラウドスケジューリングシステム | 클라우드 스케줄링 시스템 | um sistema de escalonamento em nuvem | система облачного планирования | hệ thống lập lịch đám mây | Cloud-Planungssystem | système d'ordonnancement en nuage",
    ),
    features=(
        "a distributed index of database partitions | 数据库分区的分布式索引 | データベースパーティションの分散インデックス | 데이터베이스 파티션의 분산 인덱스 | um índice distribuído de partições de banco de dados | распределенным индексом разделов базы данных | chỉ mục phân tán của các phân vùng cơ sở dữ liệu | einem verteilten Index von Datenbankpartitionen | un index distribué de partitions de base de données",
        "a machine-learning model predicting workload peaks | 预测负载峰值的机器学习模型 | 負荷のピークを予測する機械学習モデル | 부하 피크를 예측하는 기계 학습 모델 | um modelo de aprendizado de máquina que prevê picos de carga | моделью машинного обучения, прогнозирующей пики нагрузки | mô hình học máy dự đoán đỉnh tải | einem maschinellen Lernmodell, das Lastspitzen vorhersagt | un modèle d'apprentissage automatique prédisant les pics de charge",
        "a cache of recently joined tables | 最近连接表的缓存 | 直近に結合されたテーブルのキャッシュ | 최근 조인된 테이블의 캐시 | um cache de tabelas unidas recentemente | кэшем недавно объединенных таблиц | bộ nhớ đệm các bảng vừa được kết nối | einem Cache kürzlich verknüpfter Tabellen | un cache des tables jointes récemment",
    ),
    effects=(
        "reduces query latency | 降低查询延迟 | クエリの待ち時間を短縮する | 질의 지연 시간을 줄일 수 있다 | reduz a latência das consultas | снижение задержки обработки запросов | giảm độ trễ truy vấn | die Abfragelatenz verringert wird | réduisant la latence des requêtes",
        "uses computing resources more efficiently | 更高效地利用计算资源 | 計算資源をより効率的に利用する | 컴퓨팅 자원을 더 효율적으로 사용할 수 있다 | utiliza os recursos computacionais de forma mais eficiente | более эффективное использование вычислительных ресурсов | sử dụng tài nguyên tính toán hiệu quả hơn | Rechenressourcen effizienter genutzt werden | utilisant plus efficacement les ressources informatiques",
    ),
    cpc=("G06F 16/2453", "G06F 9/5038", "G06F 16/27", "G06N 20/00", "H04L 67/10"),
    applicants=("datastream", "seohan", "greenfield"),
)

PACKAGING = Topic(
    key="packaging",
    watchlist=None,
    components=(
        "a beverage container closure | 饮料容器封盖 | 飲料容器用キャップ | 음료 용기 마개 | uma tampa para recipiente de bebida | укупорочное средство для емкости с напитком | nắp đậy hộp đựng đồ uống | Getränkebehälterverschluss | bouchon de récipient pour boisson",
        "a folding carton | 折叠纸盒 | 折り畳み紙箱 | 접이식 종이 상자 | uma caixa de papelão dobrável | складная картонная коробка | hộp các-tông gấp | Faltschachtel | boîte pliante en carton",
    ),
    features=(
        "a tamper-evident band | 防盗环 | タンパーエビデントバンド | 개봉 방지 밴드 | uma faixa de evidência de violação | кольцом контроля первого вскрытия | vòng chống mở trộm | einem Originalitätsband | une bande d'inviolabilité",
        "a compostable barrier coating | 可堆肥阻隔涂层 | 堆肥化可能なバリアコーティング | 퇴비화 가능한 차단 코팅 | um revestimento de barreira compostável | компостируемым барьерным покрытием | lớp phủ chắn có thể ủ thành phân | einer kompostierbaren Barrierebeschichtung | un revêtement barrière compostable",
        "a tear strip for opening | 用于开启的撕拉条 | 開封用の引き裂き帯 | 개봉용 절취 스트립 | uma tira de rasgo para abertura | отрывной лентой для вскрытия | dải xé để mở | einem Aufreißstreifen zum Öffnen | une bande d'arrachage pour l'ouverture",
    ),
    effects=(
        "keeps the contents fresh after opening | 开封后保持内容物新鲜 | 開封後も内容物の鮮度を保つ | 개봉 후에도 내용물의 신선도를 유지할 수 있다 | mantém o conteúdo fresco após a abertura | сохранение свежести содержимого после вскрытия | giữ cho sản phẩm bên trong tươi sau khi mở | der Inhalt nach dem Öffnen frisch bleibt | conservant la fraîcheur du contenu après ouverture",
        "reduces the use of plastic | 减少塑料用量 | プラスチックの使用量を削減する | 플라스틱 사용량을 줄일 수 있다 | reduz o uso de plástico | сокращение использования пластика | giảm lượng nhựa sử dụng | der Kunststoffverbrauch reduziert wird | réduisant l'utilisation de plastique",
    ),
    cpc=("B65D 41/3423", "B65D 5/5405", "B65D 65/466", "B65D 5/4275", "B65D 55/16"),
    applicants=("packwell", "yongxin", "nordkap"),
)

TEXTILES = Topic(
    key="textiles",
    watchlist=None,
    components=(
        "a knitted fabric | 针织面料 | 編地 | 편직 원단 | um tecido de malha | трикотажное полотно | vải dệt kim | Gestrick | tricot",
        "a polyester yarn | 涤纶纱线 | ポリエステル糸 | 폴리에스테르 원사 | um fio de poliéster | полиэфирная пряжа | sợi polyeste | Polyestergarn | fil de polyester",
    ),
    features=(
        "hollow moisture-wicking fibres | 中空吸湿排汗纤维 | 中空吸湿速乾繊維 | 중공 흡한속건 섬유 | fibras ocas que absorvem a umidade | полыми влагоотводящими волокнами | sợi rỗng hút ẩm thoát mồ hôi | hohlen feuchtigkeitsableitenden Fasern | des fibres creuses évacuant l'humidité",
        "a recycled PET core | 再生PET芯层 | 再生PET製の芯部 | 재생 PET 코어 | um núcleo de PET reciclado | сердцевиной из вторичного ПЭТ | lõi PET tái chế | einem Kern aus recyceltem PET | une âme en PET recyclé",
        "an antibacterial silver finish | 抗菌银整理层 | 抗菌性の銀加工 | 항균 은 가공층 | um acabamento antibacteriano de prata | антибактериальной серебряной отделкой | lớp hoàn tất bạc kháng khuẩn | einer antibakteriellen Silberausrüstung | un apprêt antibactérien à l'argent",
    ),
    effects=(
        "keeps the wearer dry during exercise | 在运动时保持穿着者干爽 | 運動中の着用者を乾いた状態に保つ | 운동 중 착용자를 건조하게 유지할 수 있다 | mantém o usuário seco durante o exercício | поддержание сухости кожи пользователя во время тренировки | giữ cho người mặc khô ráo khi vận động | der Träger beim Sport trocken bleibt | maintenant l'utilisateur au sec pendant l'effort",
        "improves dye uptake | 提高上染率 | 染料の吸尽率を向上させる | 염료 흡착률을 향상시킬 수 있다 | melhora a absorção de corante | улучшение накрашиваемости | cải thiện khả năng bắt màu nhuộm | die Farbstoffaufnahme verbessert wird | améliorant l'absorption des colorants",
    ),
    cpc=("D04B 1/16", "D01F 6/62", "D06M 11/83", "D02G 3/04", "D03D 15/283"),
    applicants=("texforma", "jiangnan", "saopaulo"),
)

BICYCLE_BELL = Topic(
    key="near-miss-bicycle",
    watchlist=None,
    near_miss_of="motorcycles",
    components=(
        "a bicycle bell | 自行车车铃 | 自転車用ベル | 자전거 벨 | uma campainha de bicicleta | велосипедный звонок | chuông xe đạp | Fahrradklingel | sonnette de vélo",
        "a children's balance bike | 儿童平衡车 | 幼児用バランスバイク | 어린이용 밸런스 바이크 | uma bicicleta de equilíbrio infantil | детский беговел | xe thăng bằng cho trẻ em | Kinderlaufrad | draisienne pour enfant",
    ),
    features=(
        "a handlebar clamp with a quick-release lever | 带快拆杆的车把夹 | クイックリリースレバー付きハンドルクランプ | 퀵 릴리스 레버가 달린 핸들바 클램프 | uma braçadeira de guidão com alavanca de liberação rápida | хомутом крепления к рулю с быстросъемным рычагом | kẹp tay lái có cần tháo nhanh | einer Lenkerklemme mit Schnellspannhebel | un collier de guidon à levier de serrage rapide",
        "a lightweight plastic frame | 轻质塑料车架 | 軽量な樹脂製フレーム | 경량 플라스틱 프레임 | um quadro leve de plástico | легкой пластмассовой рамой | khung nhựa nhẹ | einem leichten Kunststoffrahmen | un cadre léger en plastique",
    ),
    effects=(
        "is easy for a child to use | 便于儿童使用 | 子供が容易に使用できる | 어린이가 쉽게 사용할 수 있다 | é fácil de usar por uma criança | удобство использования ребенком | tạo thuận lợi cho trẻ em sử dụng | die Benutzung durch ein Kind erleichtert wird | facilitant l'utilisation par un enfant",
    ),
    cpc=("B62J 3/10", "B62K 9/00", "B62K 21/12"),
    applicants=("belltone", "greenfield"),
)

TV_BACKLIGHT = Topic(
    key="near-miss-backlight",
    watchlist=None,
    near_miss_of="led-lighting",
    components=(
        "a liquid crystal television | 液晶电视机 | 液晶テレビ | 액정 텔레비전 | um televisor de cristal líquido | жидкокристаллический телевизор | tivi tinh thể lỏng | Flüssigkristallfernseher | téléviseur à cristaux liquides",
        "a display backlight module | 显示器背光模组 | 表示装置用バックライトモジュール | 디스플레이 백라이트 모듈 | um módulo de retroiluminação de tela | модуль подсветки дисплея | mô-đun đèn nền màn hình | Hintergrundbeleuchtungsmodul für eine Anzeige | module de rétroéclairage d'écran",
    ),
    features=(
        "an LED backlight driver with local dimming | 具有局部调光功能的LED背光驱动器 | ローカルディミング機能を有するLEDバックライトドライバ | 로컬 디밍 기능을 갖는 LED 백라이트 드라이버 | um driver de retroiluminação LED com escurecimento local | драйвером светодиодной подсветки с локальным затемнением | bộ điều khiển đèn nền LED có làm mờ cục bộ | einem LED-Hintergrundbeleuchtungstreiber mit lokaler Dimmung | un pilote de rétroéclairage LED à gradation locale",
        "a light guide plate with printed micro-dots | 带印刷网点的导光板 | 印刷された微細ドットを有する導光板 | 인쇄된 미세 도트를 갖는 도광판 | uma placa guia de luz com micropontos impressos | световодной пластиной с нанесенными микроточками | tấm dẫn sáng có vi điểm in | einer Lichtleiterplatte mit aufgedruckten Mikropunkten | une plaque de guidage de lumière à micro-points imprimés",
    ),
    effects=(
        "increases image contrast | 提高图像对比度 | 画像のコントラストを高める | 영상의 명암비를 높일 수 있다 | aumenta o contraste da imagem | повышение контрастности изображения | tăng độ tương phản hình ảnh | der Bildkontrast erhöht wird | augmentant le contraste de l'image",
    ),
    cpc=("G09G 3/3426", "G02F 1/133603", "G02F 1/133611", "H04N 5/66"),
    applicants=("seohan", "guangyao"),
)

WATCH_BATTERY = Topic(
    key="near-miss-watch-battery",
    watchlist=None,
    near_miss_of="nev-batteries",
    components=(
        "a button cell for a wristwatch | 手表用纽扣电池 | 腕時計用ボタン電池 | 손목시계용 버튼형 전지 | uma pilha tipo botão para relógio de pulso | дисковый элемент питания для наручных часов | pin cúc áo dùng cho đồng hồ đeo tay | Knopfzelle für eine Armbanduhr | pile bouton pour montre-bracelet",
        "a hearing aid battery | 助听器电池 | 補聴器用電池 | 보청기용 전지 | uma bateria para aparelho auditivo | батарейка для слухового аппарата | pin máy trợ thính | Hörgerätebatterie | pile pour aide auditive",
    ),
    features=(
        "a zinc-air cathode with an air access hole | 带进气孔的锌空气正极 | 空気孔を有する亜鉛空気正極 | 공기 구멍을 갖는 아연-공기 양극 | um cátodo de zinco-ar com orifício de entrada de ar | воздушно-цинковым катодом с отверстием для доступа воздуха | catốt kẽm-không khí có lỗ thông khí | einer Zink-Luft-Kathode mit Luftzutrittsöffnung | une cathode zinc-air munie d'un orifice d'entrée d'air",
        "a sealing gasket crimped onto the cell can | 压接在电池壳上的密封垫圈 | 電池缶にかしめられた封口ガスケット | 전지 캔에 압착된 밀봉 개스킷 | uma junta de vedação cravada na lata da pilha | уплотнительной прокладкой, завальцованной на корпусе элемента | gioăng làm kín được ép lên vỏ pin | einer auf den Zellbecher gecrimpten Dichtung | un joint d'étanchéité serti sur le boîtier de la pile",
    ),
    effects=(
        "prevents electrolyte leakage in the watch | 防止手表内电解液泄漏 | 時計内での電解液の漏れを防止する | 시계 내부의 전해액 누출을 방지할 수 있다 | evita o vazamento de eletrólito no relógio | предотвращение утечки электролита в часах | ngăn rò rỉ chất điện phân trong đồng hồ | ein Auslaufen des Elektrolyten in der Uhr verhindert wird | empêchant la fuite d'électrolyte dans la montre",
    ),
    cpc=("H01M 6/12", "H01M 12/06", "G04G 19/00", "H01M 50/109"),
    applicants=("kansaichem", "texforma"),
)

CURTAIN_RAIL = Topic(
    key="near-miss-curtain-rail",
    watchlist=None,
    near_miss_of="rail-transit",
    components=(
        "a curtain rail | 窗帘导轨 | カーテンレール | 커튼 레일 | um trilho de cortina | карниз для штор | thanh ray rèm cửa | Vorhangschiene | rail à rideaux",
        "a sliding door track | 推拉门轨道 | 引戸用レール | 미닫이문 레일 | um trilho de porta de correr | направляющая раздвижной двери | ray cửa trượt | Schiebetürschiene | rail de porte coulissante",
    ),
    features=(
        "runners with silent nylon wheels | 带静音尼龙轮的滑车 | 静音ナイロン車輪付きランナー | 무소음 나일론 바퀴가 달린 러너 | corrediças com rodas de náilon silenciosas | бегунками с бесшумными нейлоновыми роликами | con lăn có bánh xe nylon êm | Gleitern mit geräuscharmen Nylonrollen | des glisseurs à roulettes silencieuses en nylon",
        "a soft-close end stop | 缓冲关闭止挡 | ソフトクローズ式の端部ストッパ | 소프트 클로즈 끝단 스토퍼 | um batente final de fechamento suave | концевым упором с плавным закрыванием | chặn cuối đóng êm | einem Endanschlag mit Soft-Close-Funktion | une butée de fin de course à fermeture amortie",
    ),
    effects=(
        "lets the curtain or door glide quietly | 使窗帘或门安静地滑动 | カーテンや扉を静かに移動させる | 커튼이나 문이 조용히 움직이게 할 수 있다 | faz a cortina ou a porta deslizar silenciosamente | бесшумное перемещение шторы или двери | giúp rèm hoặc cửa trượt êm | der Vorhang oder die Tür leise gleitet | permettant au rideau ou à la porte de glisser silencieusement",
    ),
    cpc=("A47H 1/04", "A47H 15/04", "E05D 15/0626", "E05F 5/003"),
    applicants=("packwell", "jiangnan"),
)

TOY_HELICOPTER = Topic(
    key="near-miss-toy",
    watchlist=None,
    near_miss_of="drones",
    components=(
        "a toy helicopter | 玩具直升机 | 玩具ヘリコプタ | 장난감 헬리콥터 | um helicóptero de brinquedo | игрушечный вертолет | máy bay trực thăng đồ chơi | Spielzeughubschrauber | hélicoptère jouet",
    ),
    features=(
        "soft foam rotor blades | 软质泡沫旋翼桨叶 | 柔らかい発泡材製のロータブレード | 부드러운 폼 로터 블레이드 | pás de rotor de espuma macia | мягкими лопастями ротора из пеноматериала | cánh quạt bằng xốp mềm | weichen Rotorblättern aus Schaumstoff | des pales de rotor en mousse souple",
        "a hand-launched spring mechanism | 手抛弹簧机构 | 手投げ式のばね機構 | 손으로 던지는 스프링 기구 | um mecanismo de mola lançado à mão | пружинным механизмом для запуска с руки | cơ cấu lò xo phóng bằng tay | einem von Hand ausgelösten Federmechanismus | un mécanisme à ressort lancé à la main",
    ),
    effects=(
        "is safe for children to play with indoors | 适合儿童在室内安全玩耍 | 子供が室内で安全に遊べる | 어린이가 실내에서 안전하게 놀 수 있다 | é seguro para crianças brincarem em ambientes fechados | безопасность игры детей в помещении | an toàn cho trẻ em chơi trong nhà | Kinder damit in Innenräumen sicher spielen können | permettant aux enfants de jouer en toute sécurité à l'intérieur",
    ),
    cpc=("A63H 27/12", "A63H 27/02", "A63H 29/22"),
    applicants=("belltone", "greenfield"),
)

MASSAGE_CHAIR = Topic(
    key="near-miss-massage",
    watchlist=None,
    near_miss_of="medical-devices",
    components=(
        "a massage chair | 按摩椅 | マッサージチェア | 안마 의자 | uma cadeira de massagem | массажное кресло | ghế mát-xa | Massagesessel | fauteuil de massage",
    ),
    features=(
        "inflatable air bags around the calves | 围绕小腿的充气气囊 | ふくらはぎを包むエアバッグ | 종아리를 감싸는 공기 주머니 | bolsas de ar infláveis em torno das panturrilhas | надувными воздушными камерами вокруг икр | túi khí bơm phồng quanh bắp chân | aufblasbaren Luftkissen um die Waden | des coussins d'air gonflables autour des mollets",
        "a heated back roller | 加热背部滚轮 | 加熱式の背中用ローラ | 가열식 등 롤러 | um rolo de costas aquecido | подогреваемым роликом для спины | con lăn lưng có sưởi | einer beheizten Rückenrolle | un rouleau dorsal chauffant",
    ),
    effects=(
        "relieves muscle fatigue after work | 缓解下班后的肌肉疲劳 | 仕事の後の筋肉疲労を和らげる | 퇴근 후의 근육 피로를 풀어줄 수 있다 | alivia a fadiga muscular após o trabalho | снятие мышечной усталости после работы | giảm mỏi cơ sau giờ làm việc | die Muskelermüdung nach der Arbeit gelindert wird | soulageant la fatigue musculaire après le travail",
    ),
    cpc=("A61H 9/0078", "A61H 15/0078", "A61H 2201/0207"),
    applicants=("seohan", "nordkap"),
)

BACKGROUND_TOPICS = (FOOD, CHEMISTRY, SOFTWARE, PACKAGING, TEXTILES)
NEAR_MISS_TOPICS = (BICYCLE_BELL, TV_BACKLIGHT, WATCH_BATTERY, CURTAIN_RAIL, TOY_HELICOPTER, MASSAGE_CHAIR)
