"""Assign the documents of eval/corpus_ext to train/dev/test, by document, stratified by kind.

Run from anywhere:  python eval/corpus_ext/make_split.py
Reads PROVENANCE.tsv, fills its `split` column, writes it back. Seeded: same input, same split.
Within each kind the documents are shuffled with random.Random(20261206); the kinds are then laid
end to end and dealt onto a repeating 5-slot pattern (3 train, 1 dev, 1 test), so every kind is spread
about 60/20/20 and the whole set is too. Documents that are versions of one another, or separate reports of one event (same group,
see GROUPS), always get the same split.
"""
import csv
import os
import random

SEED = 20261206
HERE = os.path.dirname(os.path.abspath(__file__))
PATH = os.path.join(HERE, 'PROVENANCE.tsv')
PATTERN = ['train', 'dev', 'train', 'test', 'train']
# files that are versions/parts of one document, or separate reports of one event/announcement, and
# must share a split (file -> group name)
GROUPS = {
    '024_taiwan_changzhao2_butie_lanrenbao.html': 'tw_ltc2_imedical',   # two pages of one Taiwan LTC 2.0 explainer site
    '025_taiwan_changzhao2_qita_fuwu.html': 'tw_ltc2_imedical',
    '035_jiusheng_drg_dip_sannian_xingdong.md': 'drg_dip_3yr_plan',     # both report the DRG/DIP three-year plan
    '036_yibaoju_qidong_drg_dip_sannian.md': 'drg_dip_3yr_plan',
    '020_shandong_gongli_yiyuan_gaige_luntan.html': 'sd_public_hosp_forum_2016',  # forum report / forum preview
    '047_dazhong_ribao_mingyizhudao_gongli_yiyuan_luntan.html': 'sd_public_hosp_forum_2016',
    '049_didi_yisheng_shangmen_fuwu.html': 'didi_doctor_2015',          # event report / event announcement
    '050_ali_didi_mingyizhudao_yisheng_shangmen.html': 'didi_doctor_2015',
}


def main():
    with open(PATH, encoding='utf-8', newline='') as fh:
        rows = list(csv.DictReader(fh, delimiter='\t', quoting=csv.QUOTE_NONE, escapechar='\\'))
    fields = list(rows[0].keys())
    rng = random.Random(SEED)
    units = {}
    for r in rows:
        units.setdefault(GROUPS.get(r['file'], r['file']), []).append(r)
    by_kind = {}
    for key in sorted(units):
        by_kind.setdefault(units[key][0]['kind'], []).append(key)
    order = []
    for kind in sorted(by_kind):
        keys = by_kind[kind]
        rng.shuffle(keys)
        order.extend(keys)
    offset = rng.randrange(len(PATTERN))
    for i, key in enumerate(order):
        for r in units[key]:
            r['split'] = PATTERN[(i + offset) % len(PATTERN)]
    with open(PATH, 'w', encoding='utf-8', newline='') as fh:
        w = csv.DictWriter(fh, fieldnames=fields, delimiter='\t', lineterminator='\n',
                           quoting=csv.QUOTE_NONE, escapechar='\\')
        w.writeheader()
        w.writerows(rows)
    counts = {}
    for r in rows:
        counts[r['split']] = counts.get(r['split'], 0) + 1
    print(len(rows), 'documents', counts)


if __name__ == '__main__':
    main()
