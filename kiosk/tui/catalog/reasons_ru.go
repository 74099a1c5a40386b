package catalog

import "github.com/doorcheck/doorcheck/sync/reason"

func ruReasons() reasonText {
	return reasonText{
		plain: map[reason.Code]string{
			reason.UnknownFormat:      "не пропуск и не ИИН",
			reason.Malformed:          "пропуск повреждён",
			reason.BadChecksum:        "неверная контрольная цифра ИИН",
			reason.NeverIssued:        "такой ИИН не выдаётся",
			reason.BadSignature:       "подпись пропуска недействительна",
			reason.UnknownIssuer:      "издатель пропуска не доверенный",
			reason.Expired:            "срок пропуска истёк",
			reason.NotYetValid:        "пропуск ещё не действует",
			reason.UntrustworthyClock: "часы устройства неверны",
			reason.NoSnapshot:         "на устройстве нет данных о статусах",
			reason.TooLong:            "слишком длинный ввод",
			reason.DataTooOld:         "данные о статусах слишком старые для решения",
			reason.StoreCorrupt:       "данные о статусах на устройстве повреждены",
			reason.StoreUnreadable:    "данные о статусах на устройстве не читаются",
			reason.Isolation:          "на изоляции",
			reason.Contact:            "контакт заболевшего",
			reason.TestRequired:       "нужен тест или вакцинация",
			reason.Schedule:           "в это время не допускается",
			reason.StatusNotAdmitted:  "статус здесь не допускается",
			reason.Full:               "мест нет",
			reason.Reentry:            "уже внутри",
			reason.StaleSnapshot:      "данные о статусах устарели",
			reason.ClockJumped:        "часы устройства скакнули",
			reason.DCCExpired:         "срок COVID-сертификата истёк",
			reason.DCCBadSignature:    "подпись COVID-сертификата недействительна",
			reason.DCCUnknownSigner:   "подписант COVID-сертификата не доверенный",
			reason.DCCNotYetValid:     "COVID-сертификат ещё не действует",
			reason.DCCRuleFailed:      "COVID-сертификат не отвечает правилам заведения",
		},
		detailed: map[reason.Code]string{
			reason.Expired:       "пропуск истёк %s назад",
			reason.NotYetValid:   "пропуск ещё не действует: начнётся через %s",
			reason.Reentry:       "уже внутри: вход в %s, выхода не было",
			reason.Full:          "мест нет %d/%d",
			reason.StaleSnapshot: "данные о статусах устарели: возраст %s",
			reason.DataTooOld:    "данные слишком старые для решения: возраст %s",
		},
	}
}
