package dev.computeagent.agent.web.support;

import dev.computeagent.image.CacheStatistics;
import dev.computeagent.image.CachedImage;
import dev.computeagent.image.GcReport;
import dev.computeagent.image.ImageCache;
import dev.computeagent.image.ImageUpload;
import dev.computeagent.image.Overlay;
import dev.computeagent.image.StoredImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** An {@link ImageCache} whose listing and statistics a test sets; it never fetches anything. */
public final class StubImageCache implements ImageCache {

    private volatile List<CachedImage> images = List.of();
    private volatile CacheStatistics statistics = new CacheStatistics(0, 0, 0, 0, 0, 0, Map.of());
    private volatile RuntimeException listFailure;
    private volatile RuntimeException statisticsFailure;

    public void setImages(List<CachedImage> images) {
        this.images = List.copyOf(images);
    }

    public void setStatistics(CacheStatistics statistics) {
        this.statistics = statistics;
    }

    /** Makes {@link #list()} throw {@code failure} (null: list normally again). */
    public void failListing(RuntimeException failure) {
        this.listFailure = failure;
    }

    /** Makes {@link #statistics()} throw {@code failure} (null: answer normally again). */
    public void failStatistics(RuntimeException failure) {
        this.statisticsFailure = failure;
    }

    @Override
    public StoredImage upload(ImageUpload upload) {
        throw new UnsupportedOperationException("stub");
    }

    @Override
    public CachedImage fetch(String imageId) {
        throw new UnsupportedOperationException("stub");
    }

    @Override
    public CachedImage fetch(String imageId, long maxVirtualSizeBytes) {
        throw new UnsupportedOperationException("stub");
    }

    @Override
    public Overlay createOverlay(String imageId, Path overlay, long sizeBytes) {
        throw new UnsupportedOperationException("stub");
    }

    @Override
    public void createBlankDisk(Path disk, long sizeBytes) {
        throw new UnsupportedOperationException("stub");
    }

    @Override
    public long diskVirtualSize(Path disk) {
        throw new UnsupportedOperationException("stub");
    }

    @Override
    public void growDisk(Path disk, long sizeBytes) {
        throw new UnsupportedOperationException("stub");
    }

    @Override
    public List<CachedImage> list() {
        RuntimeException failure = listFailure;
        if (failure != null) {
            throw failure;
        }
        return images;
    }

    @Override
    public CacheStatistics statistics() {
        RuntimeException failure = statisticsFailure;
        if (failure != null) {
            throw failure;
        }
        return statistics;
    }

    @Override
    public GcReport collectGarbage() {
        return new GcReport(List.of(), 0, images.size());
    }

    @Override
    public void close() {
    }
}
