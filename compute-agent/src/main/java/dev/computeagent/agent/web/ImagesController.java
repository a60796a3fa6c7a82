package dev.computeagent.agent.web;

import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageException;
import java.util.Comparator;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/images} (docs/architecture.md, "Contracts"): the cached base images as a JSON array, by image id.
 * A cache that is absent or cannot be listed is a 503 problem.
 */
@RestController
public class ImagesController {

    private final ObjectProvider<ImageCache> cache;

    public ImagesController(ObjectProvider<ImageCache> cache) {
        this.cache = cache;
    }

    @GetMapping("/v1/images")
    public List<ImageView> list() {
        ImageCache current = cache.getIfAvailable();
        if (current == null) {
            throw new CollaboratorUnavailableProblem("image cache", null);
        }
        try {
            return current.list().stream().map(ImageView::of)
                    .sorted(Comparator.comparing(ImageView::imageId)).toList();
        } catch (ImageException e) {
            throw new CollaboratorUnavailableProblem("image cache", e);
        }
    }
}
