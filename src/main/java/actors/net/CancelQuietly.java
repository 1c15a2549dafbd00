package actors.net;

import akka.stream.Attributes;
import akka.stream.FlowShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;

/**
 * Passes elements through and turns a cancellation caused by a failure downstream into a plain
 * one. Akka's TCP stage aborts the connection (RST) when its reading side is cancelled with a
 * failure as the cause, which drops the ErrorResponse still being written; a plain cancellation
 * with half-close lets the write side finish first.
 */
final class CancelQuietly<T> extends GraphStage<FlowShape<T, T>> {
  private final Inlet<T> in = Inlet.create("CancelQuietly.in");
  private final Outlet<T> out = Outlet.create("CancelQuietly.out");
  private final FlowShape<T, T> shape = FlowShape.of(in, out);

  @Override public FlowShape<T, T> shape() {
    return shape;
  }

  @Override public GraphStageLogic createLogic(Attributes attributes) {
    return new GraphStageLogic(shape) {
      {
        setHandler(in, new AbstractInHandler() {
          @Override public void onPush() {
            push(out, grab(in));
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override public void onPull() {
            pull(in);
          }

          @Override public void onDownstreamFinish(Throwable cause) {
            completeStage();
          }
        });
      }
    };
  }
}
