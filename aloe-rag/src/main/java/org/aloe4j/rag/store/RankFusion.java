package org.aloe4j.rag.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reciprocal rank fusion (Cormack, Clarke and Buettcher, SIGIR 2009): an item's fused score is the sum over the
 * rankings that hold it of {@code 1 / (K + rank)}, rank counted from 1, with {@link #K} = 60 as in the paper.
 * It needs no score calibration between BM25 and cosine, which is why hybrid search uses it.
 */
public final class RankFusion {

    public static final int K = 60;

    private RankFusion() {}

    /** Fuses best-first rankings into one of at most {@code limit} hits, best first; ties keep first-seen order. */
    public static List<SearchHit> reciprocal(List<List<SearchHit>> rankings, int limit) {
        Map<String, SearchHit> byId = new LinkedHashMap<>();
        Map<String, Double> fused = new LinkedHashMap<>();
        for (List<SearchHit> ranking : rankings) {
            for (int r = 0; r < ranking.size(); r++) {
                SearchHit hit = ranking.get(r);
                byId.putIfAbsent(hit.id(), hit);
                fused.merge(hit.id(), 1.0 / (K + r + 1), Double::sum);
            }
        }
        List<SearchHit> out = new ArrayList<>(fused.size());
        fused.forEach((id, score) -> out.add(byId.get(id).withScore(score)));
        out.sort(Comparator.comparingDouble(SearchHit::score).reversed()); // stable: ties keep first-seen order
        return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
    }
}
