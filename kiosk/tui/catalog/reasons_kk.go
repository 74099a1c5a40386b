package catalog

import "github.com/doorcheck/doorcheck/sync/reason"

func kkReasons() reasonText {
	return reasonText{
		plain: map[reason.Code]string{
			reason.UnknownFormat:      "рұқсатнама да, ЖСН де емес",
			reason.Malformed:          "рұқсатнама бүлінген",
			reason.BadChecksum:        "ЖСН бақылау цифры қате",
			reason.NeverIssued:        "мұндай ЖСН берілмейді",
			reason.BadSignature:       "рұқсатнама қолтаңбасы жарамсыз",
			reason.UnknownIssuer:      "рұқсатнама берушіге сенім жоқ",
			reason.Expired:            "рұқсатнаманың мерзімі өтті",
			reason.NotYetValid:        "рұқсатнама әлі жарамсыз",
			reason.UntrustworthyClock: "құрылғы сағаты қате",
			reason.NoSnapshot:         "құрылғыда мәртебе деректері жоқ",
			reason.TooLong:            "енгізу тым ұзын",
			reason.DataTooOld:         "мәртебе деректері шешім үшін тым ескі",
			reason.StoreCorrupt:       "құрылғыдағы мәртебе деректері бүлінген",
			reason.StoreUnreadable:    "құрылғыдағы мәртебе деректері оқылмайды",
			reason.Isolation:          "оқшаулауда",
			reason.Contact:            "науқаспен байланыста болған",
			reason.TestRequired:       "тест немесе вакцинация қажет",
			reason.Schedule:           "бұл уақытта кіргізілмейді",
			reason.StatusNotAdmitted:  "бұл мәртебе мұнда кіргізілмейді",
			reason.Full:               "орын жоқ",
			reason.Reentry:            "қазір ішінде",
			reason.StaleSnapshot:      "мәртебе деректері ескірген",
			reason.ClockJumped:        "құрылғы сағаты секірді",
			reason.DCCExpired:         "COVID сертификатының мерзімі өтті",
			reason.DCCBadSignature:    "COVID сертификатының қолтаңбасы жарамсыз",
			reason.DCCUnknownSigner:   "COVID сертификатына қол қоюшыға сенім жоқ",
			reason.DCCNotYetValid:     "COVID сертификаты әлі жарамсыз",
			reason.DCCRuleFailed:      "COVID сертификаты мекеме ережелеріне сай емес",
		},
		detailed: map[reason.Code]string{
			reason.Expired:       "рұқсатнаманың мерзімі %s бұрын өтті",
			reason.NotYetValid:   "рұқсатнама әлі жарамсыз: %s кейін басталады",
			reason.Reentry:       "қазір ішінде: %s кірген, шығу тіркелмеген",
			reason.Full:          "орын жоқ %d/%d",
			reason.StaleSnapshot: "мәртебе деректері ескірген: жасы %s",
			reason.DataTooOld:    "деректер шешім үшін тым ескі: жасы %s",
		},
	}
}
